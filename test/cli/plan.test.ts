/**
 * `nncf-ts plan` on the bundled Fashion-MNIST CNN (8 weighted layers, BatchNorm, 18 quantizers at
 * NNCF's defaults). The staged-quantization cases follow NNCF's StagedQuantizationScheduler
 * (nncf/torch/quantization/schedulers.py): at construction a group is on iff max(epoch, 0) >= its start;
 * on epoch_step it turns on when epoch == start; compression_stage compares the epoch itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { buildPlan, type Plan } from '../../src/report/plan/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { loadData } from '../../src/data/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { transformerEncoder } from '../helpers/models.js';

const MODEL = 'examples/fashion-mnist/model.onnx';
const dir = mkdtempSync(join(tmpdir(), 'cli-plan-'));
let n = 0;
const INPUT = { sample_size: [1, 1, 28, 28] };

function configFile(doc: object): string {
  const file = join(dir, `c${n++}.json`);
  writeFileSync(file, JSON.stringify({ input_info: INPUT, ...doc }));
  return file;
}

async function plan(doc: object, ...args: string[]): Promise<Plan> {
  const r = await runCli('plan', '--model', MODEL, '--config', configFile(doc), '--json', ...args);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as Plan;
}

const U = 'UNCOMPRESSED';
const P = 'PARTIALLY_COMPRESSED';
const F = 'FULLY_COMPRESSED';
/** [epoch, weights_enabled, activations_enabled, stage] after construction and after each epoch_step. */
const staged = async (params: object, epochs: number) =>
  (
    await plan({ compression: { algorithm: 'quantization', params } }, '--epochs', String(epochs))
  ).schedule.map((r) => {
    const q = r.algorithms.quantization;
    return [r.epoch, q.weights_enabled, q.activations_enabled, q.stage];
  });

describe('plan --json: the staged quantization schedule as NNCF', () => {
  const T = 120_000;
  it(
    'activations from epoch 2, weights from epoch 1',
    async () => {
      expect(await staged({ activations_quant_start_epoch: 2, weights_quant_start_epoch: 1 }, 4)).toEqual([
        [-1, false, false, U],
        [0, false, false, U],
        [1, true, false, P],
        [2, true, true, F],
        [3, true, true, F],
      ]);
    },
    T,
  );

  it(
    'activations at the default start (1), weights from epoch 3',
    async () => {
      expect(await staged({ weights_quant_start_epoch: 3 }, 4)).toEqual([
        [-1, false, false, U],
        [0, false, false, U],
        [1, false, true, P],
        [2, false, true, P],
        [3, true, true, F],
      ]);
    },
    T,
  );

  it(
    'start −1: the group is on from construction (max(−1, 0) >= −1), the stage counts it from epoch −1',
    async () => {
      expect(await staged({ activations_quant_start_epoch: -1, weights_quant_start_epoch: 2 }, 3)).toEqual([
        [-1, false, true, P],
        [0, false, true, P],
        [1, false, true, P],
        [2, true, true, F],
      ]);
      expect(await staged({ activations_quant_start_epoch: -1, weights_quant_start_epoch: -1 }, 2)).toEqual([
        [-1, true, true, F],
        [0, true, true, F],
        [1, true, true, F],
      ]);
    },
    T,
  );

  it(
    'start 0: both groups on from construction and FULLY from epoch 0',
    async () => {
      const rows = await staged({ activations_quant_start_epoch: 0, weights_quant_start_epoch: 0 }, 2);
      expect(rows[0].slice(0, 3)).toEqual([-1, true, true]);
      expect(rows.slice(1)).toEqual([
        [0, true, true, F],
        [1, true, true, F],
      ]);
    },
    T,
  );

  // NNCF's compression_stage() compares current_epoch (−1) with the start (0) and says UNCOMPRESSED
  // although the groups are enabled.
  it(
    'start 0: NNCF says UNCOMPRESSED right after construction',
    async () => {
      expect(
        (await staged({ activations_quant_start_epoch: 0, weights_quant_start_epoch: 0 }, 0))[0],
      ).toEqual([-1, true, true, U]);
    },
    T,
  );

  // NNCF builds the staged scheduler only when bool(params): `params: {}` is not staged (every quantizer
  // on, FULLY from construction on).
  it(
    'params {} is not staged in NNCF',
    async () => {
      expect(await staged({}, 1)).toEqual([
        [-1, true, true, F],
        [0, true, true, F],
      ]);
    },
    T,
  );

  it(
    'step() S times per epoch: one record after each, global step counted across epochs, flags move only on epoch_step',
    async () => {
      const p = await plan(
        {
          compression: {
            algorithm: 'quantization',
            params: { activations_quant_start_epoch: 1, weights_quant_start_epoch: 1 },
          },
        },
        '--epochs',
        '2',
        '--steps-per-epoch',
        '2',
      );
      expect(
        p.schedule.map((r) => [r.epoch, r.step, r.global_step, r.algorithms.quantization.stage]),
      ).toEqual([
        [-1, -1, -1, U],
        [0, -1, -1, U],
        [0, 0, 0, U],
        [0, 1, 1, U],
        [1, -1, 1, F],
        [1, 0, 2, F],
        [1, 1, 3, F],
      ]);
      expect([p.epochs, p.steps_per_epoch, p.stage]).toEqual([2, 2, F]);
      expect(p.notes).toContain(
        'compression.params: the staged scheduler re-runs range init when a quantizer group turns on; without --data it cannot (NNCF: range initialization will not be done)',
      );
    },
    T,
  );

  it(
    "default epochs: the config's epochs key, else 1",
    async () => {
      expect(
        (await plan({ epochs: 3, compression: { algorithm: 'quantization' } })).schedule.map((r) => r.epoch),
      ).toEqual([-1, 0, 1, 2]);
      expect(
        (await plan({ compression: { algorithm: 'quantization' } })).schedule.map((r) => r.epoch),
      ).toEqual([-1, 0]);
    },
    T,
  );
});

describe('plan --json: what is compressed and what is left alone', () => {
  const T = 120_000;
  it(
    'without data: range init and BN adaptation are skipped and said so; shapes come from input_info',
    async () => {
      const p = await plan({
        log_dir: join(dir, 'never'),
        compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 64 } } },
      });
      expect(p.data).toBe(false);
      expect(existsSync(join(dir, 'never'))).toBe(false);
      expect(p.notes).toEqual([
        'log_dir: a dry run writes nothing there (compress and train write their run directory)',
        'compression.initializer.range: not run without --data; quantizers keep their initial ranges (as NNCF without init data)',
        'compression.initializer.batchnorm_adaptation: not run without --data (2000 samples asked)',
      ]);
      expect(p.example_forward).toEqual({
        inputs: [{ name: 'input', dtype: 'float32', shape: [1, 1, 28, 28], filler: 'ones' }],
        outputs: [{ name: 'logits', shape: [1, 10] }],
      });
      const q = p.algorithms[0] as unknown as {
        quantizers: Record<string, unknown>[];
        totals: unknown;
        kept_float: unknown[];
        range_init: unknown;
        bn_adaptation_steps: number;
      };
      // The default export is QDQ since issue 11: placement for ORT adds pool/MaxPool|OUTPUT (head/Conv's input) to NNCF's 18
      expect(q.totals).toEqual({
        quantizers: 19,
        weight: 8,
        activation: 11,
        by_bits: { 8: { weight: 8, activation: 11 } },
      });
      expect(q.quantizers.find((x) => x.id === 'stem/Conv|WEIGHT')).toEqual({
        id: 'stem/Conv|WEIGHT',
        kind: 'weight',
        bits: 8,
        mode: 'symmetric',
        signed: true,
        signedness_from: 'placement',
        per_channel: true,
        narrow_range: false,
        half_range: true,
        enabled: true,
        layers: ['stem/Conv'],
      });
      expect(q.quantizers.find((x) => x.id === 'stem/Relu|OUTPUT')).toMatchObject({
        kind: 'activation',
        signed: false,
        signedness_from: 'default (no range init)',
        layers: ['layer1.conv1/Conv', 'layer1/Add'],
      });
      expect(q.kept_float).toEqual([]);
      expect(q.range_init).toEqual({
        initialized: 0,
        backend: null,
        skipped: 'no initializer.range section and no range-init data: ranges keep their initial values',
      });
      expect(q.bn_adaptation_steps).toBe(0);
      expect(p.statistics.quantization.values).toMatchObject({
        'Weight quantizers': 8,
        'Activation quantizers': 11, // with pool/MaxPool|OUTPUT (ORT placement, default QDQ)
        'Ratio of enabled quantizations': 100,
      });
    },
    T,
  );

  it(
    'layers kept float name the rule: algorithm or group ignored_scopes, target_scopes',
    async () => {
      const kept = async (q: object) =>
        (
          (await plan({ compression: { algorithm: 'quantization', ...q } })).algorithms[0] as unknown as {
            kept_float: { layer: string; reason: string; weight_quantizer: string | null }[];
          }
        ).kept_float;
      expect(await kept({ ignored_scopes: ['fc/Gemm'] })).toEqual([
        {
          layer: 'fc/Gemm',
          op: 'Gemm',
          metatype: 'Linear',
          weight_quantizer: null,
          input_quantizers: [],
          reason:
            'weight: quantization.ignored_scopes "fc/Gemm"; input: quantization.ignored_scopes "fc/Gemm"',
        },
      ]);
      const w = await kept({ weights: { ignored_scopes: ['{re}^(dw|pw)/'] } });
      expect(w.map((k) => [k.layer, k.weight_quantizer, k.reason])).toEqual([
        ['dw/Conv', null, 'weight: quantization.weights.ignored_scopes "{re}^(dw|pw)/"'],
        ['pw/Conv', null, 'weight: quantization.weights.ignored_scopes "{re}^(dw|pw)/"'],
      ]);
      const t = await kept({ weights: { target_scopes: ['{re}Conv'] } });
      expect(t.map((k) => [k.layer, k.reason])).toEqual([
        ['fc/Gemm', 'weight: not in quantization.weights.target_scopes'],
      ]);
    },
    T,
  );

  it(
    'knowledge distillation + quantization: both described, both states per record, statistics of both',
    async () => {
      const p = await plan(
        {
          compression: [
            {
              algorithm: 'quantization',
              params: { activations_quant_start_epoch: 1, weights_quant_start_epoch: 1 },
            },
            { algorithm: 'knowledge_distillation', type: 'softmax', temperature: 2 },
          ],
        },
        '--epochs',
        '2',
      );
      expect(p.algorithms.map((a) => a.algorithm)).toEqual(['quantization', 'knowledge_distillation']);
      expect(p.algorithms[1]).toEqual({
        algorithm: 'knowledge_distillation',
        teacher: 'the original (uncompressed) model, frozen, eval mode',
        type: 'softmax',
        scale: 1,
        temperature: 2,
        compresses: 'nothing: adds a distillation loss on every model output',
      });
      expect(
        p.schedule.map((r) => [
          r.epoch,
          r.algorithms.quantization.stage,
          r.algorithms.knowledge_distillation,
        ]),
      ).toEqual([
        [-1, U, { stage: F }],
        [0, U, { stage: F }],
        [1, F, { stage: F }],
      ]);
      expect(p.stage).toBe(F); // composite: equal stages keep the stage
      expect(Object.keys(p.statistics)).toEqual(['quantization', 'knowledge_distillation']);
      expect(p.statistics.knowledge_distillation.values).toEqual({
        type: 'softmax',
        scale: 1,
        temperature: 2,
      });
    },
    T,
  );

  it(
    'with --data: range init and BN adaptation run as in compress; signedness comes from range init',
    async () => {
      const p = await plan(
        {
          compression: {
            algorithm: 'quantization',
            initializer: {
              range: { num_init_samples: 64 },
              batchnorm_adaptation: { num_bn_adaptation_samples: 64 },
            },
          },
        },
        '--data',
        'examples/fashion-mnist/images.npy',
        '--preprocess',
        'scale=1/255,mean=0.286,std=0.353',
        '--limit',
        '128',
      );
      expect([p.data, p.notes]).toEqual([true, []]);
      const q = p.algorithms[0] as unknown as {
        range_init: { initialized: number };
        bn_adaptation_steps: number;
        quantizers: { signedness_from: string; kind: string }[];
      };
      expect(q.range_init.initialized).toBe(19); // 18 + the ORT placement's pool/MaxPool|OUTPUT (default QDQ export)
      expect(q.bn_adaptation_steps).toBe(2); // 64 samples / batch 32
      expect(
        q.quantizers.filter((x) => x.kind === 'activation').every((x) => x.signedness_from === 'range init'),
      ).toBe(true);
    },
    T,
  );
});

describe('plan: text view and errors', () => {
  const T = 120_000;
  it(
    'prints tables: quantizers, kept-float layers with reasons, the schedule rows where a state changes, statistics',
    async () => {
      const r = await runCli(
        'plan',
        '--model',
        MODEL,
        '--config',
        configFile({
          compression: {
            algorithm: 'quantization',
            ignored_scopes: ['fc/Gemm'],
            params: { activations_quant_start_epoch: 2 },
          },
        }),
        '--epochs',
        '3',
      );
      expect([r.code, r.err]).toEqual([0, '']);
      expect(r.out).toContain('quantization (target_device ANY): 17 quantizers'); // 16 + ORT placement's pool/MaxPool|OUTPUT (default QDQ)
      expect(r.out).toMatch(
        /│ fc\/Gemm │ Gemm │ weight: quantization\.ignored_scopes "fc\/Gemm"; input: quantization\.ignored_scopes "fc\/Gemm" │/,
      );
      expect(r.out).toContain('staged: activations from epoch 2, weights from epoch 1');
      expect(r.out).toContain('schedule: 3 epoch(s) × 0 step(s); 4 records, rows where a state changes');
      expect(r.out).toMatch(
        /│ +-1 │ +-1 │ W off, A off, UNCOMPRESSED +│\n│ +1 │ +-1 │ W on, A off, PARTIALLY_COMPRESSED +│\n│ +2 │ +-1 │ W on, A on, FULLY_COMPRESSED +│/,
      );
      expect(r.out).toContain(
        'note: compression.initializer.batchnorm_adaptation: not run without --data (2000 samples asked)',
      );
      expect(r.out).toContain('Statistics of quantization:');
      expect(r.out).toContain('final stage: FULLY_COMPRESSED');
    },
    T,
  );

  it(
    'a config without compression (train fine-tunes FP32): the schedule says nothing changes, the JSON schedule has empty states',
    async () => {
      const doc = { input_info: INPUT, epochs: 2 };
      const r = await runCli('plan', '--model', MODEL, '--config', configFile(doc));
      expect(r.code).toBe(0);
      expect(r.out).toContain(
        'schedule: no compression algorithm, nothing changes per epoch (train fine-tunes the FP32 model)',
      );
      const p = await plan(doc);
      expect([
        p.algorithms.length,
        p.schedule.length,
        p.schedule.every((x) => Object.keys(x.algorithms).length === 0),
      ]).toEqual([0, 3, true]);
    },
    T,
  );

  it(
    'HAWQ without data is a usage error (exit 2); so are a missing --data path and a bad --epochs',
    async () => {
      const hawq = await runCli(
        'plan',
        '--model',
        MODEL,
        '--config',
        configFile({
          target_device: 'NPU',
          compression: { algorithm: 'quantization', initializer: { precision: { type: 'hawq' } } },
        }),
      );
      expect([hawq.code, hawq.err]).toEqual([
        2,
        'nncf-ts: compression.initializer.precision.type "hawq" chooses the bit widths from data: give --data (with labels) to plan it\n',
      ]);
      const cfg = configFile({ compression: { algorithm: 'quantization' } });
      const missing = await runCli(
        'plan',
        '--model',
        MODEL,
        '--config',
        cfg,
        '--data',
        join(dir, 'nope.npy'),
      );
      expect([missing.code, missing.err]).toEqual([
        2,
        `nncf-ts: --data ${join(dir, 'nope.npy')}: no such file or directory\n`,
      ]);
      const epochs = await runCli('plan', '--model', MODEL, '--config', cfg, '--epochs', 'two');
      expect([epochs.code, epochs.err]).toEqual([
        2,
        "nncf-ts: --epochs must be a non-negative integer, got 'two'\n",
      ]);
    },
    T,
  );

  it(
    'an input_info that does not fit the model: exit 1 naming input, config and model shapes',
    async () => {
      const r = await runCli(
        'plan',
        '--model',
        MODEL,
        '--config',
        configFile({
          input_info: { sample_size: [1, 7, 99, 99] },
          compression: { algorithm: 'quantization' },
        }),
      );
      expect(r.code).toBe(1);
      expect(r.err).toContain(
        'input_info.sample_size: [1,7,99,99] does not match model input "input" of shape [N,1,28,28]: dim 1 is 7 in the config, 1 in the model',
      );
    },
    T,
  );

  it(
    'releases every tensor it allocates',
    async () => {
      const doc = {
        compression: [
          { algorithm: 'quantization', params: { activations_quant_start_epoch: 1 } },
          { algorithm: 'knowledge_distillation', type: 'mse' },
        ],
      };
      await plan(doc, '--epochs', '2'); // warm-up: backend and kernels
      const before = tf.memory().numTensors;
      await plan(doc, '--epochs', '2', '--steps-per-epoch', '3');
      expect(tf.memory().numTensors).toBe(before);
    },
    T,
  );
});

describe('buildPlan from TypeScript', () => {
  it('with an initDataset: range init and BN adaptation run, the schedule is recorded, no tensor is left behind', async () => {
    const graph = await loadOnnxModel(MODEL);
    const initDataset = await loadData('examples/fashion-mnist/images.npy', {
      sampleShape: [1, 28, 28],
      limit: 64,
    });
    const config = () =>
      NNCFConfig.fromObject({
        compression: {
          algorithm: 'quantization',
          params: { weights_quant_start_epoch: 0 },
          initializer: {
            range: { num_init_samples: 32 },
            batchnorm_adaptation: { num_bn_adaptation_samples: 32 },
          },
        },
      });
    await buildPlan(graph, config(), { initDataset, epochs: 1 }); // warm-up: backend and kernels
    const before = tf.memory().numTensors;
    const p = await buildPlan(graph, config(), { initDataset, epochs: 2, stepsPerEpoch: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect([p.data, p.notes, p.example_forward]).toEqual([true, [], null]); // no input_info: no example forward with data
    const q = p.algorithms[0] as unknown as {
      range_init: { initialized: number };
      bn_adaptation_steps: number;
    };
    expect([q.range_init.initialized, q.bn_adaptation_steps]).toEqual([19, 1]); // 18 + ORT placement's pool/MaxPool|OUTPUT (default QDQ)
    expect(
      p.schedule.map((r) => [
        r.epoch,
        r.step,
        r.algorithms.quantization.weights_enabled,
        r.algorithms.quantization.activations_enabled,
      ]),
    ).toEqual([
      [-1, -1, true, false],
      [0, -1, true, false],
      [0, 0, true, false],
      [1, -1, true, true],
      [1, 0, true, true],
    ]);
  }, 120_000);
});

describe('buildPlan on a transformer encoder (symbolic batch, MatMuls of two activations)', () => {
  it('the batch comes from input_info; an ignored attention MatMul is listed with its rule, its weightless row has no weight reason', async () => {
    const { graph } = transformerEncoder({ layers: 1 });
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [3, 8, 32], filler: 'random' },
      compression: { algorithm: 'quantization', ignored_scopes: ['layers.0.attn/MatMul_1'] },
    });
    const p = await buildPlan(graph, config, { epochs: 0, seed: 5 });
    expect(p.example_forward).toEqual({
      inputs: [{ name: 'input', dtype: 'float32', shape: [3, 8, 32], filler: 'random' }],
      outputs: [{ name: 'hidden', shape: [3, 8, 32] }],
    });
    const q = p.algorithms[0] as unknown as { kept_float: unknown[]; quantizers: { layers: string[] }[] };
    expect(q.kept_float).toEqual([
      {
        layer: 'layers.0.attn/MatMul_1',
        op: 'MatMul',
        metatype: 'MatMul',
        weight_quantizer: null,
        input_quantizers: [],
        reason: 'input: quantization.ignored_scopes "layers.0.attn/MatMul_1"',
      },
    ]);
    expect(q.quantizers.some((x) => x.layers.includes('layers.0.attn/MatMul'))).toBe(true); // the other attention MatMul is quantized
    expect(p.schedule).toHaveLength(1); // epochs 0: the construction record only
  }, 120_000);
});

describe('the real CLI process', () => {
  it('plan --json into a slow pipe: the whole JSON arrives (stdout is flushed before exit; here ≈ 210 KB)', () => {
    const cfg = configFile({
      compression: { algorithm: 'quantization', params: { activations_quant_start_epoch: 1 } },
    });
    const cli = [
      'src/cli/main.ts',
      'plan',
      '--model',
      MODEL,
      '--config',
      cfg,
      '--json',
      '--epochs',
      '2',
      '--steps-per-epoch',
      '400',
    ];
    // the reader starts late, so the 64 KiB pipe fills and the rest of the output waits in the process
    const script = `"$0" --import tsx "$@" | (sleep 1; cat); exit "\${PIPESTATUS:-0}"`;
    const r = spawnSync('bash', ['-c', script, process.execPath, ...cli], {
      encoding: 'utf8',
      maxBuffer: 16 << 20,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(200_000);
    const p = JSON.parse(r.stdout) as Plan;
    expect(p.schedule).toHaveLength(1 + 2 * 401);
    expect(p.schedule.at(-1)).toMatchObject({ epoch: 1, step: 399, global_step: 799 });
  }, 120_000);
});
