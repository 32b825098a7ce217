import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainCommand, type TrainCommandOptions } from '../../src/cli/commands/train.js';
import { main } from '../../src/cli/main.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { OrtSession } from '../../src/runtime/index.js';
import { readTrainingCheckpoint, TrainingConfigError } from '../../src/training/index.js';
import { DIGITS, digits, digitsCnn } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-cli-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const model = join(dir, 'm.onnx');
const config = join(dir, 'c.json');
beforeAll(() => {
  writeFileSync(model, digitsCnn().bytes);
  writeFileSync(config, JSON.stringify({ input_info: { sample_size: [1, 1, 8, 8] }, batch_size: 64, epochs: 2, seed: 1, optimizer: { type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0.9 } }, compression: [{ algorithm: 'knowledge_distillation', type: 'mse' }] }));
});

const base = (o: Partial<TrainCommandOptions> = {}): TrainCommandOptions => ({ model, config, train: DIGITS, val: DIGITS, out: join(dir, 'out.onnx'), preprocess: 'scale=0.0625', progress: false, ...o });

describe('nncf-ts train', () => {
  it('trains, checkpoints, exports a model that runs on onnxruntime with the reported accuracy; --resume continues', async () => {
    const lines: string[] = [];
    await trainCommand(base(), (l) => lines.push(l));
    expect(lines.filter((l) => l.startsWith('epoch '))).toHaveLength(2);
    const valAcc = Number(/val acc ([\d.]+)/.exec(lines.filter((l) => l.startsWith('epoch ')).at(-1)!)![1]);
    expect(valAcc).toBeGreaterThan(0.8);
    expect(lines.join('\n')).toContain('Statistics of knowledge_distillation');
    const ckptDir = join(dir, 'out.checkpoints');
    expect(readTrainingCheckpoint(join(ckptDir, 'last.ckpt')).meta.position).toMatchObject({ epoch: 2, batch: 0 });
    expect(existsSync(join(ckptDir, 'best.ckpt'))).toBe(true);
    // the exported model on onnxruntime: same accuracy as the last validation
    const ds = await digits();
    const session = await OrtSession.create(join(dir, 'out.onnx'));
    let correct = 0;
    for (const b of ds.batches(256)) {
      const out = await session.run({ input: { dtype: 'float32', shape: b.x.shape, data: b.x.data } });
      const logits = out.logits.data as Float32Array;
      b.indices.forEach((_, r) => {
        const row = Array.from(logits.subarray(r * 10, r * 10 + 10));
        if (row.indexOf(Math.max(...row)) === (b.y!.data as Int32Array)[r]) correct++;
      });
    }
    await session.release();
    expect(Math.abs(correct / ds.length - valAcc)).toBeLessThan(2e-3);
    const more: string[] = [];
    await trainCommand(base({ epochs: '3', resume: join(ckptDir, 'last.ckpt'), out: join(dir, 'out3.onnx'), checkpointDir: ckptDir }), (l) => more.push(l));
    expect(more[0]).toContain('at epoch 2, batch 0');
    expect(more.filter((l) => l.startsWith('epoch '))).toEqual([expect.stringMatching(/^epoch 2:/)]);
  });

  it('HAWQ precision init for QAT from the labelled training data (NPU)', async () => {
    const hawq = join(dir, 'hawq.json');
    writeFileSync(
      hawq,
      JSON.stringify({
        input_info: { sample_size: [1, 1, 8, 8] },
        target_device: 'NPU',
        batch_size: 64,
        epochs: 1,
        seed: 1,
        optimizer: { type: 'sgd', base_lr: 0.01, optimizer_params: { momentum: 0.9 } },
        compression: {
          algorithm: 'quantization',
          initializer: { batchnorm_adaptation: { num_bn_adaptation_samples: 0 }, precision: { type: 'hawq', num_data_points: 64, iter_number: 10, compression_ratio: 1.5 } },
        },
      }),
    );
    const lines: string[] = [];
    await trainCommand(base({ config: hawq, out: join(dir, 'hawq.onnx'), checkpointDir: join(dir, 'hawq.ckpt') }), (l) => lines.push(l));
    const text = lines.join('\n');
    // HAWQ's choice for this two-layer net at compression_ratio 1.5 (seeded): both layers and their inputs at 4 bits
    expect(text).toMatch(/│\s+4 │ 2 \/ 2 \(100.00 %\)/);
    expect(existsSync(join(dir, 'hawq.onnx'))).toBe(true);
  });

  it('bad arguments and inputs are usage errors (exit 2); bad training keys name the option (exit 1)', async () => {
    await expect(trainCommand(base({ epochs: 'x' }))).rejects.toThrow(new UsageError("--epochs must be a non-negative integer, got 'x'"));
    await expect(trainCommand(base({ checkpointEvery: '0' }))).rejects.toThrow('--checkpoint-every must be a positive integer');
    await expect(trainCommand(base({ model: join(dir, 'none.onnx') }))).rejects.toBeInstanceOf(UsageError);
    await expect(trainCommand(base({ resume: join(dir, 'none.ckpt') }))).rejects.toThrow(/no such file/);
    const unlabeled = join(dir, 'x.npy');
    writeFileSync(unlabeled, npy(new Float32Array(2 * 64), [2, 1, 8, 8]));
    await expect(trainCommand(base({ train: unlabeled }))).rejects.toThrow('needs one integer label per sample');
    const badCfg = join(dir, 'bad.json');
    writeFileSync(badCfg, JSON.stringify({ input_info: { sample_size: [1, 1, 8, 8] }, optimizer: { type: 'lamb' } }));
    await expect(trainCommand(base({ config: badCfg }))).rejects.toBeInstanceOf(TrainingConfigError);
    expect(await main(['train', '--model', model, '--config', badCfg, '--train', DIGITS, '--val', DIGITS, '--out', join(dir, 'o.onnx')])).toBe(1);
    expect(await main(['train', '--model', model, '--config', config, '--train', DIGITS, '--val', DIGITS, '--out', join(dir, 'o.onnx'), '--backend', 'gpu'])).toBe(2);
    expect(await main(['train', '--model', model])).toBe(2);
  });
  it('--engine ort|tfjs and --json: one summary object with the engine and img_per_s; both engines reach the same accuracy', async () => {
    const summaries: Record<string, unknown>[] = [];
    for (const engine of ['ort', 'tfjs']) {
      const json: string[] = [];
      await trainCommand(base({ engine, json: true, threads: '1', out: join(dir, `${engine}.onnx`) }), () => {}, (l) => json.push(l));
      expect(json).toHaveLength(1);
      summaries.push(JSON.parse(json[0]));
    }
    const [ort, tfjs] = summaries as { engine: string; img_per_s: number; train_images: number; val_acc: number; epochs: number; loss: number }[];
    console.log(`digits CNN, 2 epochs: ORT ${ort.img_per_s} img/s, tfjs ${tfjs.img_per_s} img/s; val acc ${ort.val_acc} / ${tfjs.val_acc}`);
    expect(ort.engine).toBe('ort');
    expect(tfjs.engine).toBe('tfjs');
    for (const s of [ort, tfjs]) {
      expect(s.epochs).toBe(2);
      expect(s.train_images).toBe(2 * 1797);
      expect(s.img_per_s).toBeGreaterThan(0);
    }
    expect(Math.abs(ort.val_acc - tfjs.val_acc)).toBeLessThan(2e-3);
    expect(Math.abs(ort.loss - tfjs.loss)).toBeLessThan(1e-3);
    await expect(trainCommand(base({ engine: 'gpu' }), () => {})).rejects.toThrow("--engine must be ort or tfjs, got 'gpu'");
    await expect(trainCommand(base({ threads: '0' }), () => {})).rejects.toThrow(UsageError);
  });
});

function npy(data: Float32Array, shape: number[]): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer), 10 + header.length);
  return out;
}
