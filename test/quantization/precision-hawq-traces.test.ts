/**
 * HAWQ step 1 (spec/algorithms.md §6.2): Hessian-vector products by central differences of gradients
 * and the Hutchinson trace estimate, against the closed-form Hessian of linear + softmax cross-entropy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompressedModel } from '../../src/compression/index.js';
import { Dataset, ndarray, Random } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { hessianTracesOnEngine, hessianVectorProduct, hutchinsonTraces, RELATIVE_STEP, relativeEpsilon } from '../../src/initialization/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

const N = 6;
const D = 4;
const C = 3;

/** Seeded problem: x [N, D], labels [N], W [C, D], b [C]. */
function problem(seed = 5) {
  const r = new Random(seed);
  const x = Float32Array.from({ length: N * D }, () => r.normal());
  const y = Int32Array.from({ length: N }, () => r.int(C));
  const w = Float32Array.from({ length: C * D }, () => 0.7 * r.normal());
  const b = Float32Array.from({ length: C }, () => 0.1 * r.normal());
  return { x, y, w, b };
}

/** softmax(W x_n + b) per sample (float64). */
function probs(p: ReturnType<typeof problem>): number[][] {
  return Array.from({ length: N }, (_, n) => {
    const z = Array.from({ length: C }, (_, c) => p.b[c] + Array.from({ length: D }, (_, d) => p.w[c * D + d] * p.x[n * D + d]).reduce((a, v) => a + v, 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / s);
  });
}

/** Dense Hessian of the mean cross-entropy w.r.t. W (row-major (c,d)): (1/N) Σ_n (diag p − p pᵀ) ⊗ x xᵀ. */
function exactHessian(p: ReturnType<typeof problem>): number[][] {
  const P = probs(p);
  const n = C * D;
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let s = 0; s < N; s++)
    for (let c = 0; c < C; c++)
      for (let c2 = 0; c2 < C; c2++) {
        const a = (c === c2 ? P[s][c] : 0) - P[s][c] * P[s][c2];
        for (let d = 0; d < D; d++) for (let d2 = 0; d2 < D; d2++) H[c * D + d][c2 * D + d2] += (a * p.x[s * D + d] * p.x[s * D + d2]) / N;
      }
  return H;
}

function linearModel(p: ReturnType<typeof problem>): CompressedModel {
  const b = new OnnxBuilder({ opset: 13, name: 'linear' });
  const x = b.input('x', ['N', D]);
  b.node('Gemm', [x, b.initializer('fc.weight', 'float32', [C, D], p.w), b.initializer('fc.bias', 'float32', [C], p.b)], { transB: 1 }, { name: 'fc/Gemm', outputs: ['logits'] });
  b.output('logits', ['N', C]);
  const g = b.toGraph();
  return new CompressedModel(g, new Engine(g));
}

const data = (p: ReturnType<typeof problem>, labels = true) =>
  new Dataset(ndarray('float32', [N, D], p.x.slice()), labels ? ndarray('int32', [N], p.y.slice()) : undefined);

beforeAll(async () => {
  await initBackend('wasm');
});

describe('Hessian-vector products by central differences', () => {
  // ε = 1e-4·rms(w) leaves float32 rounding of about ε_mach·|∇L|/ε ≈ 1e-3·|∇L| per element (unbiased)
  it('match the closed-form H·v of linear + softmax cross-entropy to 1e-2 (relative to max |Hv|)', async () => {
    const p = problem();
    const H = exactHessian(p);
    const W = tf.variable(tf.tensor(p.w, [C, D]), true, 'hv-test/W');
    const x = tf.tensor(p.x, [N, D]);
    const oneHot = tf.oneHot(tf.tensor1d(p.y, 'int32'), C);
    const bias = tf.tensor(p.b, [C]);
    const grads = () => {
      const { value, grads: g } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(oneHot, tf.add(tf.matMul(x, W, false, true), bias)) as tf.Scalar,
        [W],
      );
      value.dispose();
      return [g[W.name]];
    };
    const r = new Random(11);
    const v = Float32Array.from({ length: C * D }, () => (r.float() < 0.5 ? -1 : 1));
    const vt = tf.tensor(v, [C, D]);
    const before = tf.memory().numTensors;
    const eps = relativeEpsilon([W]);
    expect(eps).toBeCloseTo(RELATIVE_STEP * Math.sqrt(p.w.reduce((a, w) => a + w * w, 0) / p.w.length), 8);
    const [hv] = await hessianVectorProduct([W], grads, [vt], eps);
    const got = Array.from(hv.dataSync());
    hv.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(W.dataSync())).toEqual(Array.from(p.w)); // restored exactly
    const want = H.map((row) => row.reduce((a, h, j) => a + h * v[j], 0));
    const scale = Math.max(...want.map(Math.abs));
    const err = Math.max(...got.map((g, i) => Math.abs(g - want[i])));
    expect(err / scale).toBeLessThan(1e-2);
    tf.dispose([W, x, oneHot, bias, vt]);
  });
});

describe('Hutchinson trace estimation on the engine', () => {
  it('approaches the exact average trace tr(H)/numel within 4 standard errors of the estimator', async () => {
    const p = problem();
    const H = exactHessian(p);
    const n = C * D;
    const exact = H.reduce((a, row, i) => a + row[i], 0) / n;
    // Var(vᵀHv) = 2 Σ_{i≠j} H_ij² for Rademacher v
    let off = 0;
    H.forEach((row, i) => row.forEach((h, j) => (off += i === j ? 0 : h * h)));
    const iters = 150;
    const sigma = Math.sqrt((2 * off) / iters) / n;
    const model = linearModel(p);
    const before = tf.memory().numTensors;
    const r = await hessianTracesOnEngine(model, { dataset: data(p), batchSize: N }, ['fc.weight'], { numDataPoints: N, iterNumber: iters, tolerance: 0, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.iterations).toBe(iters);
    expect(r.batches).toBe(1);
    const t = r.traces.get('fc.weight')!;
    expect(Math.abs(t - exact)).toBeLessThan(4 * sigma);
    expect(sigma / exact).toBeLessThan(0.1); // the check is meaningful
    model.engine.dispose();
  });

  it('same seed → same traces; another seed → other traces; weights untouched', async () => {
    const p = problem();
    const model = linearModel(p);
    const run = (seed: number) => hessianTracesOnEngine(model, { dataset: data(p), batchSize: 2 }, ['fc.weight'], { numDataPoints: 4, iterNumber: 4, tolerance: 0, seed });
    const a = await run(1);
    const b = await run(1);
    const c = await run(2);
    expect(a.batches).toBe(2); // ⌊4 / 2⌋
    expect(b.traces.get('fc.weight')).toBe(a.traces.get('fc.weight'));
    expect(c.traces.get('fc.weight')).not.toBe(a.traces.get('fc.weight'));
    const w = model.engine.getWeight('fc.weight');
    expect(Array.from(w.dataSync())).toEqual(Array.from(p.w));
    w.dispose();
    model.engine.dispose();
  });

  it('stops when the relative change of the summed mean trace is under tolerance; at least one batch', async () => {
    const p = problem();
    const model = linearModel(p);
    const loose = await hessianTracesOnEngine(model, { dataset: data(p), batchSize: N }, ['fc.weight'], { numDataPoints: 1, iterNumber: 200, tolerance: 0.2, seed: 1 });
    expect(loose.batches).toBe(1); // ⌊1 / 6⌋ = 0 → 1
    expect(loose.iterations).toBeGreaterThanOrEqual(2); // the first iteration compares with 0
    expect(loose.iterations).toBeLessThan(200);
    // the stopping rule, replayed on a scripted sequence: per-iteration estimates 1, 3, 2, 2.1 → running means 1, 2, 2, 2.025
    const estimates = [1, 3, 2, 2.1];
    let call = 0;
    const v = tf.variable(tf.scalar(0), true, 'tol-test/v');
    // a "gradient" whose central difference is est·v: g(w) = est·w, so (Hv)·v = est (v = ±1)
    const scripted = (tolerance: number) =>
      hutchinsonTraces({
        params: [v],
        numBatches: 1,
        iterNumber: 10,
        tolerance,
        seed: 0,
        epsilon: 0.5,
        gradients: () => [tf.mul(v, estimates[Math.floor(call++ / 2)] ?? 2.05)],
      });
    const r1 = await scripted(1e-3); // |2 − 2| / 2 = 0 at iteration 3
    expect(r1.iterations).toBe(3);
    expect(r1.traces[0]).toBeCloseTo(2, 6);
    call = 0;
    const r2 = await scripted(0); // never below 0: runs iter_number
    expect(r2.iterations).toBe(10);
    v.dispose();
    model.engine.dispose();
  });

  it('train mode with Dropout: one mask per Hessian-vector product (both sides of the difference), so the trace stays the size of a Hessian; seeded', async () => {
    const p = problem();
    const b = new OnnxBuilder({ opset: 13, name: 'dropout-linear' });
    const x = b.input('x', ['N', D]);
    const dropped = b.node('Dropout', [x, b.scalar('ratio', 0.5)], {}, { name: 'drop/Dropout' });
    b.node('Gemm', [dropped, b.initializer('fc.weight', 'float32', [C, D], p.w), b.initializer('fc.bias', 'float32', [C], p.b)], { transB: 1 }, { name: 'fc/Gemm', outputs: ['logits'] });
    b.output('logits', ['N', C]);
    const g = b.toGraph();
    const model = new CompressedModel(g, new Engine(g));
    const H = exactHessian(p);
    const noDropout = H.reduce((a, row, i) => a + row[i], 0) / (C * D);
    const run = (seed: number) => hessianTracesOnEngine(model, { dataset: data(p), batchSize: N }, ['fc.weight'], { numDataPoints: N, iterNumber: 40, tolerance: 0, seed });
    const before = tf.memory().numTensors;
    const a = (await run(4)).traces.get('fc.weight')!;
    expect(tf.memory().numTensors).toBe(before);
    // inputs scaled by 1/(1 − 0.5) where kept: E[x̃x̃ᵀ] doubles the diagonal, so the trace is about twice the
    // dropout-free one (softmax saturation lowers it); masks differing between w ± εv would add |∇L|/ε ≈ 10³
    expect(a / noDropout).toBeGreaterThan(0.8);
    expect(a / noDropout).toBeLessThan(3);
    expect((await run(4)).traces.get('fc.weight')).toBe(a);
    expect((await run(5)).traces.get('fc.weight')).not.toBe(a);
    model.engine.dispose();
  });

  it('errors: unlabelled data, a weight that is not in the model', async () => {
    const p = problem();
    const model = linearModel(p);
    await expect(hessianTracesOnEngine(model, { dataset: data(p, false), batchSize: N }, ['fc.weight'], { numDataPoints: N, iterNumber: 1, tolerance: 0 })).rejects.toThrow(
      /needs labelled data: the QuantizationPrecisionInitArgs data loader has no labels/,
    );
    await expect(hessianTracesOnEngine(model, { dataset: data(p), batchSize: N }, ['fc.wieght'], { numDataPoints: N, iterNumber: 1, tolerance: 0 })).rejects.toThrow(
      /"fc.wieght" is not a weight of the model/,
    );
    model.engine.dispose();
  });
});
