import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/algorithms/index.js';
import { rbNoise, type RBSparsityController } from '../../src/algorithms/sparsity/index.js';
import { exportCompressedModelBytes } from '../../src/api.js';
import { CompressionStage, createCompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { initBackend } from '../../src/engine/index.js';
import { OrtSession } from '../../src/runtime/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Conv(1→2, 1×1) → Relu → GAP → Flatten → Gemm(2→2): 2 + 4 = 6 mask elements. */
function tiny() {
  const b = new OnnxBuilder({ opset: 13 });
  const x = b.input('x', ['N', 1, 2, 2]);
  let y = b.node('Conv', [x, b.initializer('conv.w', 'float32', [2, 1, 1, 1], [3, -4]), b.initializer('conv.b', 'float32', [2], [0.5, 0.1])], { kernel_shape: [1, 1] }, { name: 'conv' });
  y = b.node('Relu', [y], {}, { name: 'relu' });
  y = b.node('Flatten', [b.node('GlobalAveragePool', [y], {}, { name: 'gap' })], { axis: 1 }, { name: 'flat' });
  y = b.node('Gemm', [y, b.initializer('fc.w', 'float32', [2, 2], [1, -2, 0.3, 0.5]), b.initializer('fc.b', 'float32', [2], [0.1, 0.2])], { transB: 1 }, { name: 'fc', outputs: ['logits'] });
  b.output(y, ['N', 2]);
  return b.toGraph();
}

async function build(section: object, extra: object = {}) {
  const cfg = NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 2, 2] }, seed: 3, ...extra, compression: [{ algorithm: 'rb_sparsity', ...section }] });
  const r = await createCompressedModel(tiny(), cfg);
  return { ...r, ctrl: r.controller as RBSparsityController };
}

const X = () => tf.tensor4d([0.5, -1, 2, 0.25, 1, 1, -0.5, 3], [2, 1, 2, 2]);
const sig = (v: number) => 1 / (1 + Math.exp(-v));

describe('rb_sparsity loss (hand-computed)', () => {
  it('masks start at sigmoid(m) = 0.99 (all kept); loss = ((S/P − (1 − L)) / 0.05)², gradient through the straight-through threshold', async () => {
    const { ctrl } = await build({ sparsity_init: 0.5 });
    // NNCF's logit(ones · 0.99) in float32: 0.99f / (1 − 0.99f) = 99.0000991821289f, log → 4.595120906829834f
    for (const l of ctrl.layers) expect(Array.from(l.logits.dataSync()).every((v) => v === 4.595120906829834)).toBe(true);
    expect(ctrl.compressionRate).toBe(0.5);
    const m = ctrl.layers.map((l) => l.logits);
    const { value, grads } = tf.variableGrads(() => ctrl.loss(), m);
    expect(value.dataSync()[0]).toBeCloseTo(100, 3); // S/P = 1, target 0.5 → (0.5/0.05)²
    // d/dm = 2·(S/P − t)/p² · (1/P) · σ'(m), P = 6, σ'(m) = 0.99·0.01
    const want = ((2 * 0.5) / 0.0025 / 6) * 0.99 * 0.01;
    for (const g of Object.values(grads)) Array.from(g.dataSync()).forEach((v) => expect(v).toBeCloseTo(want, 4));
    expect(ctrl.measuredSparsity()).toBe(0);
    expect(ctrl.statistics().values.mean_sparse_prob).toBeCloseTo(0.01, 6);
    tf.dispose([value, ...Object.values(grads)]);
  });
  it('local mode: (Σ −|S_l/P_l − (1 − L_l)| / 0.05)² with per-layer levels', async () => {
    const { ctrl } = await build({ params: { sparsity_level_setting_mode: 'local' } });
    ctrl.setSparsityLevel(0.5, 'conv');
    ctrl.setSparsityLevel(0.25, 'fc');
    const l = ctrl.loss();
    expect(l.dataSync()[0]).toBeCloseTo(225, 3); // (−(0.5 + 0.25)/0.05)²
    l.dispose();
    expect(ctrl.compressionStage()).toBe(CompressionStage.FULLY_COMPRESSED);
    expect(() => ctrl.setSparsityLevel(0.5, 'nope')).toThrow(/no sparsified layer "nope"/);
  });
  it('freeze epoch disables the loss and the noise; compression_lr_multiplier scales the logits gradient', async () => {
    const { ctrl } = await build({ sparsity_init: 0.5, params: { sparsity_freeze_epoch: 1, sparsity_target_epoch: 2, sparsity_target: 0.6 } });
    ctrl.scheduler.epochStep();
    expect(ctrl.compressionStage()).toBe(CompressionStage.PARTIALLY_COMPRESSED);
    ctrl.scheduler.epochStep();
    const l = ctrl.loss();
    expect(l.dataSync()[0]).toBe(0);
    l.dispose();
    expect(ctrl.layers.every((x) => x.frozen)).toBe(true);
    const scaled = await build({ sparsity_init: 0.5, compression_lr_multiplier: 10 });
    const { value, grads } = tf.variableGrads(() => scaled.ctrl.loss(), [scaled.ctrl.layers[0].logits]);
    expect(Object.values(grads)[0].dataSync()[0]).toBeCloseTo((10 * ((2 * 0.5) / 0.0025 / 6) * 0.99 * 0.01), 3);
    tf.dispose([value, ...Object.values(grads)]);
  });
});

describe('rb_sparsity masks in forward', () => {
  it('training forward: w·(sigmoid(m + logit(u)) > 0.5) with the seeded noise; eval: w·(sigmoid(m) > 0.5)', async () => {
    const { model, ctrl } = await build({});
    const conv = ctrl.layers[0];
    conv.logits.assign(tf.tensor(Float32Array.from([0.2, -0.2]), conv.logits.shape));
    const x = X();
    const before = tf.memory().numTensors;
    const evalOut = model.run({ x }).logits;
    // eval: conv mask [1, 0] → h1 = relu(0·x + 0.1) = 0.1, logit0 = h0·1 + h1·(−2) + 0.1, h0 = mean relu(3x + 0.5)
    const h0 = (xs: number[]) => xs.map((v) => Math.max(0, 3 * v + 0.5)).reduce((a, v) => a + v, 0) / 4;
    expect(evalOut.dataSync()[0]).toBeCloseTo(h0([0.5, -1, 2, 0.25]) - 0.2 + 0.1, 5);
    evalOut.dispose();
    const trainOut = model.run({ x }, { training: true }).logits;
    const noise = rbNoise(3, 0, 0, 2); // the first draw of layer 0
    const m = [0.2 + noise[0], -0.2 + noise[1]].map((v) => (sig(v) > 0.5 ? 1 : 0));
    const h = (xs: number[], w: number, b: number) => xs.map((v) => Math.max(0, w * v + b)).reduce((a, v) => a + v, 0) / 4;
    const want0 = h([0.5, -1, 2, 0.25], 3 * m[0], 0.5) * 1 + h([0.5, -1, 2, 0.25], -4 * m[1], 0.1) * -2 + 0.1;
    expect(trainOut.dataSync()[0]).toBeCloseTo(want0, 4);
    trainOut.dispose();
    expect(conv.draws).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
  it('noise is a function of (seed, layer, draw) and lies in logit([1e-6, 1 − 1e-6])', () => {
    const a = rbNoise(3, 0, 5, 1000);
    expect(rbNoise(3, 0, 5, 1000)).toEqual(a);
    expect(rbNoise(3, 1, 5, 1000)).not.toEqual(a);
    expect(rbNoise(4, 0, 5, 1000)).not.toEqual(a);
    const lim = Math.log((1 - 1e-6) / 1e-6);
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(lim + 1e-3);
    const mean = a.reduce((s, v) => s + sig(v), 0) / a.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });
  it('export writes w·(sigmoid(m) > 0.5) without mask nodes; ORT equals the engine eval output', async () => {
    const r = await build({});
    const fc = r.ctrl.layers[1];
    fc.logits.assign(tf.tensor(Float32Array.from([1, -1, -3, 2]), fc.logits.shape));
    const x = X();
    const out = r.model.run({ x }).logits;
    const engine = Array.from(out.dataSync());
    out.dispose();
    const s = await OrtSession.create(exportCompressedModelBytes(r));
    const ort = await s.run({ x: { dtype: 'float32', shape: [2, 1, 2, 2], data: x.dataSync() as Float32Array } });
    Array.from(ort.logits.data as Float32Array).forEach((v, i) => expect(Math.abs(v - engine[i])).toBeLessThan(1e-4));
    const st = r.ctrl.statistics().values;
    expect(st.sparsity_level_for_layers).toBeCloseTo(2 / 6, 12);
    x.dispose();
  });
  it('state keeps the noise position and the frozen loss', async () => {
    const a = await build({ sparsity_init: 0.3, params: { sparsity_freeze_epoch: 0 } });
    a.ctrl.scheduler.epochStep();
    a.ctrl.layers[1].draws = 7;
    const b = await build({ sparsity_init: 0.3, params: { sparsity_freeze_epoch: 0 } });
    b.ctrl.loadState(JSON.parse(JSON.stringify(a.ctrl.getState())));
    expect(b.ctrl.layers.map((l) => l.draws)).toEqual([0, 7]);
    expect(b.ctrl.rbLoss.disabled).toBe(true);
    expect(b.ctrl.scheduler.currentEpoch).toBe(0);
  });
});
