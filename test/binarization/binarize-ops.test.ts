/**
 * Binarization math against hand-computed values (spec §8, NNCF binarize_functions.py): xnor / dorefa
 * weights (0 → −α) with the straight-through gradient, activation binarization forward and NNCF's
 * backward to x, the log-scale and the threshold logits (× compression_lr_multiplier), the scale
 * initialization (smallest of the top round(0.1 %) values, Python's half-to-even round).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { binarizeActivation, binarizeWeight, initialScale, roundHalfEven } from '../../src/algorithms/binarization/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const W = [1, -2, 0, 3, -1, -1, 2, 0]; // [2,1,2,2]
const close = (a: ArrayLike<number>, b: number[]) => Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));

describe('weight binarization', () => {
  it('xnor: sign·mean|w| per output channel (channel 0: α 1.5, channel 1: α 1); 0 maps to −α', () => {
    close(tf.tidy(() => binarizeWeight(tf.tensor(W, [2, 1, 2, 2]), 'xnor').dataSync()), [1.5, -1.5, -1.5, 1.5, -1, -1, 1, -1]);
  });

  it('dorefa: one α = mean|w| = 1.25', () => {
    close(tf.tidy(() => binarizeWeight(tf.tensor(W, [2, 1, 2, 2]), 'dorefa').dataSync()), [1.25, -1.25, -1.25, 1.25, -1.25, -1.25, 1.25, -1.25]);
  });

  it.each(['xnor', 'dorefa'] as const)('%s: straight-through gradient dw = dy', (mode) => {
    const g = tf.tidy(() => tf.grad((w: tf.Tensor) => tf.sum(tf.mul(binarizeWeight(w, mode), tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 1, 2, 2]))))(tf.tensor(W, [2, 1, 2, 2])).dataSync());
    close(g, [1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('activation binarization', () => {
  // x [1,2,1,3]; s = exp(ln 2) = 2; thresholds sigmoid(0)·2 = 1 and sigmoid(ln 3)·2 = 1.5
  const X = [0.2, 0.9, 1.5, -0.3, 0.6, 2.5];
  const G = [1, 2, 3, 4, 5, 6];
  const run = (mult: number) =>
    tf.tidy(() => {
      const x = tf.tensor(X, [1, 2, 1, 3]);
      const s = tf.tensor([Math.log(2)], [1]);
      const t = tf.tensor([0, Math.log(3)], [1, 2, 1, 1]);
      const y = binarizeActivation(x, s, t, mult);
      const [dx, ds, dt] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(binarizeActivation(a, b, c, mult), tf.tensor(G, [1, 2, 1, 3]))))([x, s, t]);
      return { y: y.dataSync(), dx: dx.dataSync(), ds: ds.dataSync(), dt: dt.dataSync(), dsShape: ds.shape, dtShape: dt.shape };
    });

  it('forward: y = s·[x > sigmoid(t)·s]', () => {
    close(run(1).y, [0, 0, 2, 0, 0, 2]);
  });

  it('backward: dx = g·[x ≥ 0]·[x ≤ s]; d log-scale = s·Σ g·(ml·(y−x)/s + 1 − ml) = 2·4.85; d logit = Σ −g·[0 < x < s] · σ(1−σ)', () => {
    const r = run(1);
    close(r.dx, [1, 2, 3, 0, 5, 0]);
    close(r.ds, [9.7]);
    close(r.dt, [-6 * 0.25, -5 * 0.1875]);
    expect(r.dsShape).toEqual([1]);
    expect(r.dtShape).toEqual([1, 2, 1, 1]);
  });

  it('compression_lr_multiplier scales the parameter gradients only', () => {
    const r = run(3);
    close(r.dx, [1, 2, 3, 0, 5, 0]);
    close(r.ds, [29.1]);
    close(r.dt, [-4.5, -2.8125]);
  });
});

describe('scale initialization', () => {
  it('the smallest of the top max(1, round(0.001·N)) values', () => {
    expect(tf.tidy(() => initialScale(tf.tensor([0.2, 0.9, 1.5, -0.3, 0.6, 2.5])))).toBeCloseTo(2.5, 6); // round(0.006) = 0 → 1
    // N = 2500: round(2.5) = 2 (Python, half to even; Math.round would take 3) → top 2 of 1..2500 → 2499
    expect(tf.tidy(() => initialScale(tf.range(1, 2501)))).toBe(2499);
    expect(tf.tidy(() => initialScale(tf.range(1, 3501)))).toBe(3497); // round(3.5) = 4
    expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3]);
  });
});
