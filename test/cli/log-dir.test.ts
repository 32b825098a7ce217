import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainCommand } from '../../src/cli/commands/train.js';
import { runId, runName } from '../../src/cli/log-dir.js';
import { NNCFConfig } from '../../src/config/index.js';
import { readTrainingCheckpoint } from '../../src/training/index.js';
import { runCli } from '../helpers/cli.js';
import { DIGITS, digitsCnn } from '../training/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-log-dir-'));
const onlyChild = (d: string) => {
  const entries = readdirSync(d);
  expect(entries).toHaveLength(1);
  return join(d, entries[0]);
};
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

describe('log_dir naming, as NNCF samples', () => {
  it("run name: model (config's model key, else the file name), dataset when named, one suffix per algorithm", () => {
    const name = (doc: object) => runName(NNCFConfig.fromObject(doc), 'dir/resnet18.onnx');
    expect(name({ compression: { algorithm: 'quantization' } })).toBe('resnet18_int8');
    expect(
      name({
        model: 'mobilenet_v2',
        dataset: 'cifar10',
        compression: [
          { algorithm: 'quantization', weights: { bits: 4 } },
          { algorithm: 'knowledge_distillation', type: 'mse' },
        ],
      }),
    ).toBe('mobilenet_v2_cifar10_a_int8_w_int4_knowledge_distillation');
    expect(
      name({
        target_device: 'NPU',
        compression: {
          algorithm: 'quantization',
          initializer: { precision: { type: 'manual', bitwidth_per_scope: [[4, 'a|WEIGHT']] } },
        },
      }),
    ).toBe('resnet18_mixed_int');
    expect(name({})).toBe('resnet18');
  });

  it('run id: the start time as YYYY-MM-DD__HH-MM-SS', () => {
    expect(runId(new Date(2026, 0, 5, 7, 3, 9))).toBe('2026-01-05__07-03-09');
  });
});

describe('log_dir from the CLI', () => {
  it('compress writes the config as given, the resolved config, output.log and the final statistics (JSON and text)', async () => {
    const logDir = join(dir, 'compress-logs');
    const cfgText = `// int8 with a log dir\n${JSON.stringify({ input_info: { sample_size: [1, 1, 28, 28] }, log_dir: logDir, compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 64 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } } })}`;
    writeFileSync(join(dir, 'c.json'), cfgText);
    const r = await runCli(
      'compress',
      '--model',
      'examples/fashion-mnist/model.onnx',
      '--config',
      join(dir, 'c.json'),
      '--data',
      'examples/fashion-mnist/images.npy',
      '--preprocess',
      'scale=1/255',
      '--limit',
      '64',
      '--out',
      join(dir, 'q.onnx'),
      // the default export is QDQ (issue 11), which turns the CLI's latency check on: what it keeps float
      // depends on the machine's timings, and this test checks the run directory, not speed
      '--no-latency-check',
    );
    expect(r.code, r.err).toBe(0);
    const run = onlyChild(join(logDir, 'model_int8'));
    expect(run).toMatch(/model_int8[\\/]\d{4}-\d\d-\d\d__\d\d-\d\d-\d\d$/);
    expect(readdirSync(run).sort()).toEqual([
      'config.json',
      'config.resolved.json',
      'output.log',
      'statistics.json',
      'statistics.txt',
    ]);
    expect(readFileSync(join(run, 'config.json'), 'utf8')).toBe(cfgText);
    const resolved = json(join(run, 'config.resolved.json'));
    expect(resolved.log_dir).toBe(run);
    expect(resolved.compression.initializer.range.num_init_samples).toBe(64);
    expect([resolved.compression.preset, resolved.target_device]).toEqual(['performance', 'ANY']); // defaults filled in
    const stats = json(join(run, 'statistics.json'));
    expect(stats).toHaveLength(1);
    expect(stats[0]).toMatchObject({
      epoch: 'final',
      stage: 'FULLY_COMPRESSED',
      // 10 activations + pool/MaxPool|OUTPUT, which placement for ORT adds since the default export is QDQ (issue 11)
      statistics: { 'quantization/Weight quantizers': 8, 'quantization/Activation quantizers': 11 },
    });
    const text = readFileSync(join(run, 'statistics.txt'), 'utf8');
    expect(text).toContain('Statistics of quantization:');
    expect(readFileSync(join(run, 'output.log'), 'utf8')).toContain(text.trimEnd());
  }, 120_000);

  it('train writes statistics after each epoch (JSON, and text in output.log), checkpoints in the run directory', async () => {
    const logDir = join(dir, 'train-logs');
    writeFileSync(join(dir, 'm.onnx'), digitsCnn().bytes);
    const cfg = join(dir, 't.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        input_info: { sample_size: [1, 1, 8, 8] },
        log_dir: logDir,
        batch_size: 128,
        epochs: 2,
        seed: 1,
        optimizer: { type: 'sgd', base_lr: 0.05 },
        compression: {
          algorithm: 'quantization',
          params: { activations_quant_start_epoch: 1, weights_quant_start_epoch: 1 },
          initializer: { range: { num_init_samples: 128 } },
        },
      }),
    );
    const printed: string[] = [];
    await trainCommand(
      {
        model: join(dir, 'm.onnx'),
        config: cfg,
        train: DIGITS,
        val: DIGITS,
        out: join(dir, 't.onnx'),
        preprocess: 'scale=0.0625',
        progress: false,
      },
      (l) => printed.push(l),
    );
    const run = onlyChild(join(logDir, 'm_int8'));
    const stats = json(join(run, 'statistics.json')) as {
      epoch: number | string;
      stage: string;
      statistics: Record<string, number>;
    }[];
    expect(
      stats.map((s) => [s.epoch, s.stage, s.statistics['quantization/Ratio of enabled quantizations']]),
    ).toEqual([
      [0, 'UNCOMPRESSED', 0],
      [1, 'FULLY_COMPRESSED', 100],
      ['final', 'FULLY_COMPRESSED', 100],
    ]);
    const output = readFileSync(join(run, 'output.log'), 'utf8');
    expect(output.startsWith(`${printed[0]}\n`)).toBe(true);
    expect(output.match(/^statistics after epoch \d+:$/gm)).toEqual([
      'statistics after epoch 0:',
      'statistics after epoch 1:',
    ]);
    for (const line of printed) expect(output).toContain(line);
    expect(readTrainingCheckpoint(join(run, 'last.ckpt')).meta.position).toMatchObject({
      epoch: 2,
      batch: 0,
    });
    expect(existsSync(join(run, 'best.ckpt'))).toBe(true);
    expect(printed.at(-1)).toBe(`saved ${join(dir, 't.onnx')}; checkpoints in ${run}`);
  }, 300_000);

  it('a log_dir that cannot be created fails before any work (exit 1, naming the key and the path)', async () => {
    writeFileSync(join(dir, 'file-not-dir'), '');
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({
        log_dir: join(dir, 'file-not-dir', 'logs'),
        compression: { algorithm: 'quantization' },
      }),
    );
    const r = await runCli(
      'compress',
      '--model',
      'examples/fashion-mnist/model.onnx',
      '--config',
      join(dir, 'bad.json'),
      '--data',
      'examples/fashion-mnist/images.npy',
      '--out',
      join(dir, 'never.onnx'),
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^nncf-ts: log_dir "${join(dir, 'file-not-dir', 'logs')}": cannot create ${join(dir, 'file-not-dir', 'logs', 'model_int8')}.*ENOTDIR`,
      ),
    );
    expect(existsSync(join(dir, 'never.onnx'))).toBe(false);
  });
});
