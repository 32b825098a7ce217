/**
 * MaxPoolGrad on wasm. tfjs-backend-wasm 4.22's own kernel starts each window's running max at
 * FLT_MIN (the smallest positive float, not -inf) and keeps the last of tied maxima, so windows whose
 * values are all negative send their gradient to the wrong pixel (or drop it). Ours must match the cpu
 * backend, finite differences and the first-max tie rule of tfjs cpu and onnxruntime.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { runOrt } from '../engine/ort-helpers.js';
import { seeded, setupBackends } from './helpers.js';

beforeAll(setupBackends);

type Pad = 'valid' | 'same';
interface PoolCase {
  shape: [number, number, number, number];
  k: [number, number];
  s: [number, number];
  pad: Pad;
}

const cases: Record<string, PoolCase> = {
  '2x2 s2 valid (the measured case)': { shape: [3, 6, 6, 3], k: [2, 2], s: [2, 2], pad: 'valid' },
  '2x2 s2 valid, odd sizes': { shape: [2, 7, 5, 3], k: [2, 2], s: [2, 2], pad: 'valid' },
  '2x2 s2 same, odd sizes': { shape: [2, 7, 5, 3], k: [2, 2], s: [2, 2], pad: 'same' },
  '2x2 s1 valid': { shape: [2, 5, 6, 2], k: [2, 2], s: [1, 1], pad: 'valid' },
  '3x3 s1 same': { shape: [1, 5, 7, 4], k: [3, 3], s: [1, 1], pad: 'same' },
  '3x3 s2 valid (overlapping)': { shape: [2, 9, 9, 3], k: [3, 3], s: [2, 2], pad: 'valid' },
  '3x3 s2 same (overlapping), odd sizes': { shape: [2, 7, 9, 2], k: [3, 3], s: [2, 2], pad: 'same' },
  '2x3 window, strides 1x2, same': { shape: [1, 7, 8, 2], k: [2, 3], s: [1, 2], pad: 'same' },
};

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** All negative, in [-1, 0): every window's max is negative. */
const negative = (shape: number[], seed: number) => seeded(shape, seed).map((v) => v - 0.5);

/** Distinct negative values 0.05 apart, shuffled: the pool is linear within ±0.025 of them. */
function spacedNegative(shape: number[], seed: number): Float32Array {
  const n = size(shape);
  const order = Array.from(seeded([n], seed), (v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Float32Array(n);
  order.forEach(([, i], rank) => (out[i] = -0.05 * (rank + 1)));
  return out;
}

/** Few distinct negative values {-1, -2, -3}: many ties in every window. */
const tiedNegative = (shape: number[], seed: number) => seeded(shape, seed).map((v) => -1 - Math.floor((v + 0.5) * 3));

function outShape(c: PoolCase): number[] {
  return tf.backend_util.computePool2DInfo(c.shape, c.k, c.s, 1, c.pad).outShape;
}

/** d/dx of sum(maxPool(x) * R) on a backend, R seeded in [-0.5, 0.5). */
function poolGrad(backend: 'wasm' | 'cpu', c: PoolCase, x: Float32Array): Float32Array {
  tf.setBackend(backend);
  try {
    const g = tf.tidy(() => {
      const r = tf.tensor(seeded(outShape(c), 77), outShape(c));
      const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, c.k, c.s, c.pad), r));
      return tf.grad(f)(tf.tensor(x, c.shape));
    });
    const values = g.dataSync() as Float32Array;
    g.dispose();
    return values;
  } finally {
    tf.setBackend('wasm');
  }
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('MaxPoolGrad on wasm agrees with the cpu backend (negative inputs)', () => {
  it.each(Object.keys(cases))('%s', (name) => {
    const c = cases[name];
    const before = tf.memory().numTensors;
    for (const [kind, x] of [['random', negative(c.shape, 5)], ['ties', tiedNegative(c.shape, 6)]] as const) {
      const w = poolGrad('wasm', c, x);
      const cpu = poolGrad('cpu', c, x);
      // Both sum the same dy values (|dy| < 0.5, up to 9 per pixel): only summation order may differ.
      expect(maxAbsDiff(w, cpu), `${kind}`).toBeLessThan(2e-6);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('MaxPoolGrad on wasm agrees with finite differences of the cpu forward', () => {
  it.each(Object.keys(cases))('%s', (name) => {
    const c = cases[name];
    const before = tf.memory().numTensors;
    const x = spacedNegative(c.shape, 11);
    const analytic = poolGrad('wasm', c, x);
    const r = seeded(outShape(c), 77);
    tf.setBackend('cpu');
    // The pooled values are inputs, exact in float32, so the loss is summed in float64 here.
    const loss = (v: Float32Array) => {
      const y = tf.tidy(() => tf.maxPool(tf.tensor(v, c.shape) as tf.Tensor4D, c.k, c.s, c.pad));
      const yv = y.dataSync();
      y.dispose();
      let s = 0;
      for (let i = 0; i < yv.length; i++) s += yv[i] * r[i];
      return s;
    };
    const h = 0.02; // values are 0.05 apart, so no window's argmax changes: the difference is exact
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      const p = x.slice();
      const m = x.slice();
      p[i] += h;
      m[i] -= h;
      worst = Math.max(worst, Math.abs((loss(p) - loss(m)) / (2 * h) - analytic[i]));
    }
    tf.setBackend('wasm');
    // Float32 rounding of x ± h (|x| <= 15) is below 1e-6, over 2h = 0.04.
    expect(worst).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('ties: the gradient goes to the first maximum in row-major window order', () => {
  const x = new Float32Array([-2, -1, -5, -5, -1, -3, -5, -5]); // [1, 2, 4, 1]: two 2x2 windows
  const c: PoolCase = { shape: [1, 2, 4, 1], k: [2, 2], s: [2, 2], pad: 'valid' };

  it('wasm and cpu put it on the same pixel as hand-computed', () => {
    const r = seeded(outShape(c), 77);
    const expected = [0, r[0], r[1], 0, 0, 0, 0, 0];
    for (const backend of ['wasm', 'cpu'] as const) {
      const g = poolGrad(backend, c, x);
      expect(maxAbsDiff(g, expected), backend).toBe(0);
    }
  });

  it("onnxruntime's MaxPool Indices (what its MaxPoolGrad scatters by) point at the same pixels", async () => {
    const b = new OnnxBuilder({ opset: 17 });
    const [y, idx] = b.nodeOutputs('MaxPool', [b.input('x', [1, 1, 2, 4])], { kernel_shape: [2, 2], strides: [2, 2] }, { outputs: 2 });
    b.output(y);
    b.output(idx, null, 'int64');
    const res = await runOrt(b.toBytes(), { x: { dims: [1, 1, 2, 4], data: x } });
    // NCHW with one channel is the same flat order as NHWC here.
    expect(Array.from(res[idx].data)).toEqual([1, 2]);
  });
});

describe('engine on wasm: Conv -> MaxPool -> Gemm weight gradients equal those on cpu', () => {
  it('with negative pooled values, 2x2 and overlapping 3x3 s2 pools', async () => {
    const b = new OnnxBuilder({ seed: 3, opset: 17 });
    const x = b.input('x', [2, 2, 9, 9]);
    // A negative bias keeps most conv outputs, and so most pooled values, below zero.
    const bias = b.initializer('cb', 'float32', [4], [-1, -0.6, -0.3, 0.1]);
    const conv = b.node('Conv', [x, b.randomWeight('cw', [4, 2, 3, 3], 0.3), bias], { pads: [1, 1, 1, 1] });
    const p1 = b.node('MaxPool', [conv], { kernel_shape: [2, 2], strides: [2, 2] });
    const conv2 = b.node('Conv', [p1, b.randomWeight('cw2', [3, 4, 1, 1], 0.5), b.initializer('cb2', 'float32', [3], [-0.8, -0.4, 0])]);
    const p2 = b.node('MaxPool', [conv2], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
    const flat = b.node('Flatten', [p2]);
    b.output(b.node('Gemm', [flat, b.randomWeight('gw', [5, 12], 0.5), b.randomWeight('gb', [5], 0.1)], { transB: 1 }));
    const out = b.outputs[0].name;
    const xv = seeded([2, 2, 9, 9], 21).map((v) => 2 * v);
    const rv = seeded([2, 5], 22);

    const gradsOn = (backend: 'wasm' | 'cpu'): Record<string, Float32Array> => {
      tf.setBackend(backend);
      const engine = new Engine(b.toGraph());
      const before = tf.memory().numTensors;
      const xt = tf.tensor(xv, [2, 2, 9, 9]);
      const r = tf.tensor(rv, [2, 5]);
      const loss = () => tf.tidy(() => tf.sum(tf.mul(engine.run({ x: xt }, { training: true })[out], r)) as tf.Scalar);
      const weights = engine.weights().filter((wt) => wt.trainable);
      const { value, grads } = tf.variableGrads(loss, weights.map((wt) => wt.variable));
      // Keyed by ONNX weight name: tfjs variable names differ between the two engines.
      const res = Object.fromEntries(weights.map((wt) => [wt.name, grads[wt.variable.name].dataSync() as Float32Array]));
      tf.dispose([value, ...Object.values(grads), xt, r]);
      expect(tf.memory().numTensors, `${backend} leaks`).toBe(before);
      engine.dispose();
      return res;
    };
    const w = gradsOn('wasm');
    const c = gradsOn('cpu');
    tf.setBackend('wasm');
    expect(Object.keys(w).sort()).toEqual(Object.keys(c).sort());
    expect(Object.keys(w).length).toBe(6);
    for (const k of Object.keys(c)) {
      let scale = 0;
      for (const v of c[k]) scale = Math.max(scale, Math.abs(v));
      expect(scale, `${k} is all zeros`).toBeGreaterThan(0);
      // Conv gradients differ only by float32 summation order (our im2col kernels vs cpu's loops).
      expect(maxAbsDiff(w[k], c[k]) / scale, k).toBeLessThan(1e-5);
    }
  });
});
