/** Range init and BN adaptation wiring on the digits CNN: ORT vs engine statistics, signedness, state, errors, leaks. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setFastForward } from '../../src/algorithms/quantization/index.js';
import { createCompressedModel, exportCompressedModelBytes, QuantizationController, type CompressionState } from '../../src/api.js';
import { NNCFConfig, QuantizationRangeInitArgs } from '../../src/config/index.js';
import type { Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { countOpTypes } from '../../src/runtime/index.js';
import { digitsData, loadDigitsCnn } from './digits-cnn.js';

let train: Dataset;
const TYPES = ['min_max', 'mixed_min_max', 'mean_min_max', 'threesigma', 'percentile', 'mean_percentile'] as const;
const cfg = (q: object) => NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, compression: { algorithm: 'quantization', ...q } });
const noBn = { batchnorm_adaptation: { num_bn_adaptation_samples: 0 } };

async function build(q: object, loader?: object | Dataset, extra: Parameters<typeof createCompressedModel>[2] = {}) {
  const config = cfg(q);
  if (loader) config.registerExtraStructs([new QuantizationRangeInitArgs(loader)]);
  const r = await createCompressedModel(await loadDigitsCnn(), config, extra);
  return { ...r, ctrl: r.controller as QuantizationController };
}

function ranges(ctrl: QuantizationController): Record<string, number[]> {
  return Object.fromEntries(ctrl.modules.map((m) => {
    const fq = m.quantizer.fakeQuantizeParams();
    return [m.placed.id, [...fq.inputLow, ...fq.inputHigh]];
  }));
}

beforeAll(async () => {
  await initBackend('wasm');
  ({ train } = await digitsData());
}, 120_000);

describe('range init statistics: onnxruntime-node and the engine give the same numbers', () => {
  it.each(TYPES)('%s (per-layer list: activations of this type, weights min_max)', async (type) => {
    const range = [
      { type, target_quantizer_group: 'activations', target_scopes: ['{re}.*'], num_init_samples: 96 },
      { type: 'min_max', target_quantizer_group: 'weights', target_scopes: ['{re}.*'] },
    ];
    const q = { initializer: { range, ...noBn }, preset: 'mixed' };
    const ort = await build(q, { dataset: train, batchSize: 32, statisticsBackend: 'ort' });
    const eng = await build(q, { dataset: train, batchSize: 32, statisticsBackend: 'engine' });
    expect(ort.ctrl.rangeInit?.backend).toBe('ort');
    expect(eng.ctrl.rangeInit?.backend).toBe('engine');
    const a = ranges(ort.ctrl);
    const b = ranges(eng.ctrl);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const id of Object.keys(a)) for (let i = 0; i < a[id].length; i++) expect(b[id][i]).toBeCloseTo(a[id][i], 4);
    // asymmetric activations (preset mixed): a range that actually moved away from the constructor's [0, 1]
    expect(a['relu2/Relu|OUTPUT'][1]).not.toBeCloseTo(1, 3);
    for (const r of [ort, eng]) r.controller.dispose();
  });

  it('weights: symmetric scale = max(max |w| per output channel, 0.1), read from the weights themselves', async () => {
    const r = await build({ initializer: { range: { num_init_samples: 32 }, ...noBn }, overflow_fix: 'disable' }, train);
    const w = r.model.engine.getWeight('fc2.weight');
    const expected = tf.tidy(() => tf.max(tf.abs(w), 1).dataSync());
    w.dispose();
    // NNCF's 0.1 floor (SCALE_LOWER_THRESHOLD) applies to channels with smaller weights
    const floored = Array.from(expected, (v) => (v > Math.fround(0.1) ? v : Math.fround(0.1)));
    expect(floored.some((v) => v === Math.fround(0.1)) && floored.some((v) => v > 0.1)).toBe(true);
    expect(Array.from(r.ctrl.quantizer('fc2/Gemm|WEIGHT')!.scale())).toEqual(floored);
    r.controller.dispose();
  });
});

describe('signedness, samples and data', () => {
  it('signedness comes from statistics unless forced', async () => {
    const r = await build({ initializer: { range: { num_init_samples: 64 }, ...noBn } }, train);
    expect(r.ctrl.quantizer('input|OUTPUT')!.signed).toBe(false); // digits are >= 0
    expect(r.ctrl.quantizer('relu3/Relu|OUTPUT')!.signed).toBe(false);
    const f = await build({ activations: { signed: true }, initializer: { range: { num_init_samples: 64 }, ...noBn } }, train);
    expect(f.ctrl.quantizer('relu3/Relu|OUTPUT')!.signed).toBe(true);
    for (const x of [r, f]) x.controller.dispose();
  });

  it('num_init_samples 0 skips range init; no range section and no data only warns', async () => {
    const r = await build({ initializer: { range: { num_init_samples: 0 }, ...noBn } }, train);
    expect(r.ctrl.rangeInit).toEqual({ initialized: 0, backend: null });
    expect(Array.from(r.ctrl.quantizer('relu1/Relu|OUTPUT')!.scale())).toEqual([1]);
    const s = await build({ initializer: noBn });
    expect(s.ctrl.rangeInit?.skipped).toMatch(/ranges keep their initial values/);
    for (const x of [r, s]) x.controller.dispose();
  });

  it('errors: range section without data, BN adaptation without data, data of the wrong shape', async () => {
    await expect(build({ initializer: { range: { num_init_samples: 8 }, ...noBn } })).rejects.toThrow(/range initialization needs data/);
    await expect(build({ initializer: { range: { num_init_samples: 0 } } })).rejects.toThrow(/BatchNorm adaptation needs data .* no data loader/);
    const wrong = (await digitsData()).train.mapX((x) => ({ ...x, shape: [x.shape[0], 1, 4, 16] }));
    await expect(build({ initializer: noBn }, wrong)).rejects.toThrow(/does not fit the model input \[1, 8, 8\]/);
    await expect(build({ initializer: { precision: { type: 'hawq' }, ...noBn } })).rejects.toThrow(/register QuantizationPrecisionInitArgs/);
  });
});

describe('BN adaptation, resume, export forms, tensors', () => {
  it('BN adaptation re-estimates running statistics with quantizers on and leaves weights alone', async () => {
    const before = await build({ initializer: noBn }, train);
    const after = await createCompressedModel(await loadDigitsCnn(), cfg({ initializer: { batchnorm_adaptation: { num_bn_adaptation_samples: 320 } } }), { initDataset: train });
    expect((after.controller as QuantizationController).bnAdaptationSteps).toBe(10);
    const read = (m: typeof after.model, n: string) => { const t = m.engine.getWeight(n); const v = Array.from(t.dataSync()); t.dispose(); return v; };
    expect(read(after.model, 'conv1.weight')).toEqual(read(before.model, 'conv1.weight'));
    const mb = read(before.model, 'bn1.mean');
    const ma = read(after.model, 'bn1.mean');
    expect(ma.some((v, i) => Math.abs(v - mb[i]) > 1e-4)).toBe(true);
    for (const x of [before, after]) x.controller.dispose();
  });

  it('resume from the compression state rebuilds the same quantizers without data', async () => {
    const r = await build({ initializer: { range: { num_init_samples: 64 }, ...noBn } }, train);
    const state = JSON.parse(JSON.stringify(r.getCompressionState())) as CompressionState;
    const again = await createCompressedModel(await loadDigitsCnn(), cfg({ initializer: { range: { num_init_samples: 64 }, ...noBn } }), { compressionState: state });
    const ctrl2 = again.controller as QuantizationController;
    expect(ctrl2.modules.map((m) => m.placed.id)).toEqual(r.ctrl.modules.map((m) => m.placed.id));
    expect(ranges(ctrl2)).toEqual(ranges(r.ctrl));
    const x = tf.tensor(train.x.data.slice(0, 640) as Float32Array, [10, 1, 8, 8]);
    const y1 = r.model.run({ input: x }).logits;
    const y2 = again.model.run({ input: x }).logits;
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y1.dataSync()));
    tf.dispose([x, y1, y2]);
    for (const c of [r.controller, again.controller]) c.dispose();
  });

  it('export_to_onnx_standard_ops false writes one org.openvinotoolkit FakeQuantize per quantized tensor', async () => {
    // explicit: without the key nncf-ts exports QDQ (NNCF's default false is not ours, issue 11)
    const r = await build({ initializer: { range: { num_init_samples: 32 }, ...noBn }, export_to_onnx_standard_ops: false }, train);
    const ops = await countOpTypes(exportCompressedModelBytes(r));
    expect(ops.get('org.openvinotoolkit:FakeQuantize')).toBe(r.ctrl.modules.length);
    expect(ops.get('QuantizeLinear') ?? 0).toBe(0);
    r.controller.dispose();
  });

  it('the gradient-free activation kernel used during BN adaptation matches the differentiable one', async () => {
    const r = await build({ initializer: { range: { num_init_samples: 64 }, ...noBn } }, train);
    const x = tf.tensor(train.x.data.slice(0, 64 * 64) as Float32Array, [64, 1, 8, 8]);
    const slow = r.model.run({ input: x }).logits;
    setFastForward([...r.ctrl.modules], true);
    const fast = r.model.run({ input: x }).logits;
    setFastForward([...r.ctrl.modules], false);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(slow, fast))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-4);
    tf.dispose([x, slow, fast]);
    r.controller.dispose();
  });

  it('repeated runs of the compressed model keep the live tensor count flat', async () => {
    const r = await build({ initializer: { range: { num_init_samples: 32 }, ...noBn } }, train);
    const x = tf.tensor(train.x.data.slice(0, 64 * 32) as Float32Array, [32, 1, 8, 8]);
    const once = () => tf.dispose(Object.values(r.model.run({ input: x })));
    once();
    const start = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) once();
    expect(tf.memory().numTensors).toBe(start);
    const vars = r.controller.compressionVariables().length;
    r.controller.dispose();
    expect(tf.memory().numTensors).toBe(start - vars);
    x.dispose();
  });
});
