/**
 * movement_sparsity's masks on a single Gemm (hand-computed): importance shapes per structure, the
 * 98th-percentile cap of the threshold, the straight-through gradient to the scores, the stored mask
 * used in evaluation, the loss λ·0.5·(mean σ(s_w)·r·c + mean σ(s_b)·r) averaged over layers, the
 * automatic init threshold, statistics with sparse biases, and the config errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../../src/algorithms/index.js';
import { initThreshold, quantileOfExpanded, type MovementSparsityController } from '../../../src/algorithms/sparsity/index.js';
import { createCompressedModel } from '../../../src/compression/index.js';
import { NNCFConfig } from '../../../src/config/index.js';
import { initBackend } from '../../../src/engine/index.js';
import { OnnxBuilder } from '../../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** x[N,4] → Gemm(transB=1, W [4,4], b) → MatMul(W2 [4,2]) (no bias) → y. */
function twoLinears() {
  const b = new OnnxBuilder({ opset: 13 });
  const x = b.input('x', ['N', 4]);
  const w = Float32Array.from({ length: 16 }, (_, i) => (i % 5) - 2 + 0.5);
  const h = b.node('Gemm', [x, b.initializer('fc1.w', 'float32', [4, 4], w), b.initializer('fc1.b', 'float32', [4], [0.1, 0.2, 0.3, 0.4])], { transB: 1 }, { name: 'fc1' });
  const y = b.node('MatMul', [h, b.initializer('fc2.w', 'float32', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8])], {}, { name: 'fc2', outputs: ['y'] });
  b.output(y, ['N', 2]);
  return b.toGraph();
}

const PARAMS = { warmup_start_epoch: 1, warmup_end_epoch: 3, importance_regularization_factor: 0.5, enable_structured_masking: false, steps_per_epoch: 2 };

async function build(extra: object = {}, params: object = {}) {
  const cfg = NNCFConfig.fromObject({ input_info: { sample_size: [2, 4] }, compression: { algorithm: 'movement_sparsity', params: { ...PARAMS, ...params }, ...extra } });
  const r = await createCompressedModel(twoLinears(), cfg);
  return { ...r, ctrl: r.controller as MovementSparsityController };
}

const X = () => tf.tensor2d([1, -1, 2, 0.5, 0, 1, -2, 3], [2, 4]);

describe('movement masks', () => {
  it('layers: Gemm (bias) and MatMul (no bias) seen as [out, in]; scores start at 0; masks all ones', async () => {
    const { ctrl } = await build();
    expect(ctrl.sparsifiers.map((s) => [s.name, s.layer.shape, s.layer.transposed, !!s.bias])).toEqual([
      ['fc1', [4, 4], false, true],
      ['fc2', [2, 4], true, false],
    ]);
    expect(Array.from(ctrl.sparsifiers[0].weight.importance.dataSync())).toEqual(new Array(16).fill(0));
    expect(Array.from(ctrl.sparsifiers[1].weight.mask.dataSync())).toEqual(new Array(8).fill(1));
  });

  it.each([
    [{ mode: 'block', sparse_factors: [2, 2] }, [2, 2], [2]],
    [{ mode: 'per_dim', axis: 0 }, [4, 1], [4]],
    [{ mode: 'per_dim', axis: 1 }, [1, 4], [1]],
    [{ mode: 'fine' }, [4, 4], [4]],
  ])('sparse structure %j → weight scores %j, bias scores %j', async (structure, w, b) => {
    const { ctrl } = await build({ sparse_structure_by_scopes: [{ ...structure, target_scopes: 'fc1' }] });
    expect(ctrl.sparsifiers[0].weight.importance.shape).toEqual(w);
    expect(ctrl.sparsifiers[0].bias!.importance.shape).toEqual(b);
    expect(ctrl.sparsifiers[1].weight.importance.shape).toEqual([2, 4]); // fc2 unmatched: fine
  });

  it.each([
    [{ sparse_structure_by_scopes: [{ mode: 'block', sparse_factors: [3, 2], target_scopes: 'fc1' }] }, /block \[3, 2\] does not divide the weight \[4, 4\] of "fc1"/],
    [{ sparse_structure_by_scopes: [{ mode: 'per_dim', axis: 2, target_scopes: 'fc1' }] }, /axis 2 of "fc1" is outside \[0, 1\]/],
    [{ sparse_structure_by_scopes: [{ mode: 'fine', sparse_factors: [2, 2], target_scopes: 'fc1' }] }, /sparse_structure_by_scopes\[0\]\.sparse_factors: the fine structure expects \[1, 1\]/],
    [{ sparse_structure_by_scopes: [{ mode: 'per_dim', axis: 0, sparse_factors: [1, 4], target_scopes: 'fc1' }] }, /per_dim structure takes no sparse_factors/],
    [{ sparse_structure_by_scopes: [{ mode: 'block', sparse_factors: [2, 2], axis: 0, target_scopes: 'fc1' }] }, /block structure takes no axis/],
    [{ sparse_structure_by_scopes: [{ mode: 'fine', target_scopes: 'fc1' }, { mode: 'fine', target_scopes: '{re}fc' }] }, /"fc1" is matched by 2 entries/],
    [{ sparse_structure_by_scopes: [{ mode: 'fine', target_scopes: [] }] }, /target_scopes is missing/],
    [{ ignored_scopes: ['fc1', 'fc2'] }, /no sparsifiable linear layer found/],
  ])('refuses %j', async (extra, msg) => {
    await expect(build(extra)).rejects.toThrow(msg);
  });

  it('structured masking on (the default) with no attention/FFN group is refused naming the key', async () => {
    await expect(build({ ignored_scopes: ['fc2'] }, { enable_structured_masking: true })).rejects.toThrow(/params\.enable_structured_masking is true \(the default\), but no attention or feed-forward group/);
  });

  it('98th-percentile cap (torch.quantile, linear): 0..9 → 8.82; with block repeats 2 → over 0,0,1,1,…', () => {
    expect(quantileOfExpanded(Float32Array.from([9, 1, 0, 3, 2, 5, 4, 7, 6, 8]), 1)).toBeCloseTo(8.82, 5);
    // expanded [0,0,1,1,2,2,3,3], rank 0.98·7 = 6.86 → 3
    expect(quantileOfExpanded(Float32Array.from([3, 1, 0, 2]), 2)).toBeCloseTo(3, 6);
    // rank 0.98·2 = 1.96 → 1 + 0.96·(5 − 1)
    expect(quantileOfExpanded(Float32Array.from([0, 1, 5]), 1)).toBeCloseTo(4.84, 5);
    // init threshold: k = int(0.001·N) + 1; N = 2500 → k = 3 → third smallest
    expect(initThreshold([{ scores: Float32Array.from({ length: 1250 }, (_, i) => i), repeat: 2 }])).toBe(1);
    expect(initThreshold([{ scores: Float32Array.from([5, -2]), repeat: 1 }, { scores: Float32Array.from([-7]), repeat: 3 }])).toBe(-7);
  });

  it('training forward: mask = (score > min(t, q98)), straight-through gradient Σ dy·x per block to the scores; eval uses the stored mask', async () => {
    const { model, ctrl } = await build({ sparse_structure_by_scopes: [{ mode: 'block', sparse_factors: [2, 2], target_scopes: 'fc1' }] });
    const fc1 = ctrl.sparsifiers[0];
    fc1.weight.importance.assign(tf.tensor2d([1, -1, 2, 0.5], [2, 2]));
    fc1.bias!.importance.assign(tf.tensor1d([-3, 4]));
    // fc2 keeps all (scores 1 > 0.75); at scores 0 it would mask everything: q98 = 0 caps t at 0, and 0 > 0 is false
    ctrl.sparsifiers[1].weight.importance.assign(tf.ones([2, 4]));
    ctrl.setImportanceThresholdAndFactor(0.75, 0.5);
    const x = X();
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(model.run({ x }, { training: true }).y) as tf.Scalar, [fc1.weight.importance, fc1.bias!.importance]);
    value.dispose();
    // weight: q98 over [−1,−1,−1,−1,.5,.5,.5,.5,1,1,1,1,2,2,2,2] = 2 → t = 0.75: blocks (0,0) = 1 and (1,0) = 2 kept
    expect(Array.from(torchRows(fc1))).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]);
    // bias: q98 over [−3,−3,4,4] = 4 → t = 0.75 → [0, 0, 1, 1]
    expect(Array.from(fc1.bias!.mask.dataSync())).toEqual([0, 0, 1, 1]);
    // d score = Σ over the block of dy·W (STE); dy_h = x·... : dL/dh_j = Σ_k W2[j,k] (fc2 rows summed)
    const dh = [1 + 2, 3 + 4, 5 + 6, 7 + 8];
    const W = Array.from({ length: 16 }, (_, i) => (i % 5) - 2 + 0.5);
    const xs = [[1, -1, 2, 0.5], [0, 1, -2, 3]];
    const dW = (r: number, c: number) => dh[r] * (xs[0][c] + xs[1][c]);
    const want: number[] = [];
    for (let R = 0; R < 2; R++)
      for (let C = 0; C < 2; C++) {
        let sum = 0;
        for (let dr = 0; dr < 2; dr++) for (let dc = 0; dc < 2; dc++) sum += dW(2 * R + dr, 2 * C + dc) * W[(2 * R + dr) * 4 + 2 * C + dc];
        want.push(sum);
      }
    Array.from(grads[fc1.weight.importance.name].dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want[i], 4));
    const bias = [0.1, 0.2, 0.3, 0.4];
    expect(Array.from(grads[fc1.bias!.importance.name].dataSync())).toEqual([0, 1].map((R) => [0, 1].reduce((a, d) => a + 2 * dh[2 * R + d] * bias[2 * R + d], 0)).map((v) => expect.closeTo(v, 4)));
    tf.dispose(Object.values(grads));
    expect(tf.memory().numTensors).toBe(before);
    // evaluation reads the stored mask, even after the scores change
    fc1.weight.importance.assign(tf.fill([2, 2], 5));
    const y = model.run({ x }).y;
    const h = xs.map((row) => [0, 1, 2, 3].map((r) => row.reduce((a, v, c) => a + v * W[r * 4 + c] * (torchRows(fc1)[r * 4 + c]), 0) + bias[r] * [0, 0, 1, 1][r]));
    const yWant = h.flatMap((hr) => [0, 1].map((k) => hr.reduce((a, v, j) => a + v * [1, 2, 3, 4, 5, 6, 7, 8][j * 2 + k], 0)));
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(yWant[i], 4));
    tf.dispose([x, y]);
  });

  it('loss: mean over layers of λ·0.5·(mean σ(s_w)·r·c + mean σ(s_b)·r); 0 when λ = 0 or frozen; gradient σ′ scaled', async () => {
    const { ctrl } = await build({ sparse_structure_by_scopes: [{ mode: 'block', sparse_factors: [2, 2], target_scopes: 'fc1' }] });
    const z = ctrl.loss();
    expect(z.dataSync()[0]).toBe(0);
    z.dispose();
    ctrl.setImportanceThresholdAndFactor(0, 0.5);
    const [fc1, fc2] = ctrl.sparsifiers;
    fc1.weight.importance.assign(tf.tensor2d([0, 1, -1, 2], [2, 2]));
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const l1 = 0.5 * 0.5 * ((([0, 1, -1, 2].map(sig).reduce((a, b) => a + b) / 4) * 4) + 0.5 * 2);
    const l2 = 0.5 * 0.5 * 0.5 * 1;
    const l = ctrl.loss();
    expect(l.dataSync()[0]).toBeCloseTo((l1 + l2) / 2, 6);
    l.dispose();
    const { grads } = tf.variableGrads(() => ctrl.loss(), [fc1.weight.importance]);
    Array.from(grads[fc1.weight.importance.name].dataSync()).forEach((v, i) => {
      const s = sig([0, 1, -1, 2][i]);
      expect(v).toBeCloseTo((0.5 * 0.5 * 4 * s * (1 - s)) / 4 / 2, 6);
    });
    tf.dispose(Object.values(grads));
    fc2.freeze();
    ctrl.freeze();
    const f = ctrl.loss();
    expect(f.dataSync()[0]).toBe(0);
    f.dispose();
  });

  it('statistics: NNCF names; sparse biases listed as "<layer>/bias"; model level over every parameter', async () => {
    const { ctrl } = await build();
    ctrl.sparsifiers[0].weight.mask.assign(tf.tensor2d([1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0], [4, 4]));
    ctrl.sparsifiers[0].bias!.mask.assign(tf.tensor1d([0, 1, 1, 1]));
    const s = ctrl.statistics();
    // zeros: 4 of fc1 weight (W has no zeros: values ±0.5, ±1.5, 2.5), 1 of the bias; 16 + 4 + 8 parameters
    expect(s.values).toEqual({ sparsity_level: 5 / 28, sparsity_level_for_layers: 5 / 28, importance_threshold: -Infinity, importance_regularization_factor: 0 });
    expect(ctrl.collect().layers.map((l) => [l.name, l.shape, l.sparsityLevel])).toEqual([
      ['fc1', [4, 4], 0.25], ['fc1/bias', [4], 0.25], ['fc2', [2, 4], 0],
    ]);
    expect(ctrl.compressionRate).toBeCloseTo(5 / 28, 12);
    expect(() => (ctrl.compressionRate = 0.5)).toThrow(/compression rate cannot be set/);
    expect(s.toString()).toContain('Mask Importance Threshold');
  });
});

/** fc1's stored weight mask in [out, in] (Gemm transB=1: the ONNX layout). */
function torchRows(s: MovementSparsityController['sparsifiers'][number]): Float32Array {
  return tf.tidy(() => s.weight.toOnnx(s.weight.mask).dataSync() as Float32Array);
}
