/**
 * The fused fake-quantize kernels against the composed tfjs ops (fused: false) on random inputs:
 * forward and every gradient, both backends, per-tensor and per-channel on axes 0/1/3.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import {
  FAKE_QUANTIZE,
  FAKE_QUANTIZE_GRAD,
  roundHalfEven,
} from '../../src/algorithms/quantization/fake-quantize/kernels/index.js';
import {
  asymmetricFakeQuantize,
  quantizerLevels,
  symmetricFakeQuantize,
  type FakeQuantizeOptions,
  type LevelOptions,
} from '../../src/algorithms/quantization/fake-quantize/index.js';

const SHAPE = [3, 4, 5, 6];

interface Case {
  name: string;
  levels: LevelOptions;
  axis: number | null;
  opts?: FakeQuantizeOptions;
}

const lvl = (mode: 'symmetric' | 'asymmetric', extra: Partial<LevelOptions> = {}): LevelOptions => ({
  bits: 8,
  mode,
  signed: true,
  narrowRange: false,
  halfRange: false,
  ...extra,
});

const cases: Case[] = [];
for (const mode of ['symmetric', 'asymmetric'] as const) {
  for (const axis of [null, 0, 1, 3]) {
    cases.push({ name: `${mode} 8-bit axis ${axis}`, levels: lvl(mode), axis });
    cases.push({ name: `${mode} half range axis ${axis}`, levels: lvl(mode, { halfRange: true }), axis });
    cases.push({
      name: `${mode} log scale axis ${axis}`,
      levels: lvl(mode),
      axis,
      opts: { logarithmScale: true },
    });
  }
  cases.push({
    name: `${mode} lr multiplier 3, axis 3`,
    levels: lvl(mode),
    axis: 3,
    opts: { lrMultiplier: 3 },
  });
}
cases.push({
  name: 'symmetric narrow signed axis 3',
  levels: lvl('symmetric', { narrowRange: true }),
  axis: 3,
});
cases.push({
  name: 'symmetric narrow unsigned 4-bit per tensor',
  levels: lvl('symmetric', { bits: 4, signed: false, narrowRange: true }),
  axis: null,
});
cases.push({ name: 'symmetric unsigned axis 1', levels: lvl('symmetric', { signed: false }), axis: 1 });

/** Deterministic LCG in [0, 1). */
function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function paramShape(axis: number | null): number[] {
  if (axis === null) return [1];
  const s = SHAPE.map(() => 1);
  s[axis] = SHAPE[axis];
  return s;
}

/** Forward value and gradients w.r.t. x and the parameters, with the given path. */
function run(c: Case, fused: boolean, seed: number): Float32Array[] {
  const r = rng(seed);
  const n = SHAPE.reduce((a, b) => a * b, 1);
  const ps = paramShape(c.axis);
  const pn = ps.reduce((a, b) => a * b, 1);
  const lv = quantizerLevels(c.levels);
  const o = { ...c.opts, fused };
  const log = c.opts?.logarithmScale ?? false;
  const scales = Array.from({ length: pn }, (_, i) => (0.2 + 2 * r()) * (log || i % 3 ? 1 : -1));
  const rangeParam = scales.map((v) => (log ? Math.log(v) : v));
  const lows = Array.from({ length: pn }, () => 1 - 2.5 * r());
  return tf.tidy(() => {
    const x = tf.tensor(
      Array.from({ length: n }, () => 6 * r() - 3),
      SHAPE,
    );
    const dy = tf.tensor(
      Array.from({ length: n }, () => 2 * r() - 1),
      SHAPE,
    );
    const p = tf.tensor(rangeParam, ps);
    const low = tf.tensor(lows, ps);
    const f =
      c.levels.mode === 'symmetric'
        ? (a: tf.Tensor, b: tf.Tensor) => symmetricFakeQuantize(a, b, lv, o)
        : (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => asymmetricFakeQuantize(a, b, d, lv, o);
    const inputs = c.levels.mode === 'symmetric' ? [x, p] : [x, low, p];
    const y = (f as (...t: tf.Tensor[]) => tf.Tensor)(...inputs);
    const g = tf.grads((...t: tf.Tensor[]) => (f as (...t: tf.Tensor[]) => tf.Tensor)(...t))(inputs, dy);
    return [y, ...g].map((t) => t.dataSync() as Float32Array);
  });
}

/** Largest |a - b| / max(|b|, floor); ±0 count as equal. */
function maxRel(a: Float32Array, b: Float32Array, floor: number): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  }
  return m;
}

describe("roundHalfEven (the kernels' rounding)", () => {
  it('equals tf.round (half to even) on ties, large values and non-finite values', async () => {
    await tf.setBackend('cpu');
    const v = [
      -2.5,
      -1.5,
      -0.5,
      0.5,
      1.5,
      2.5,
      126.5,
      127.5,
      -127.5,
      0.49999997,
      4194304.5,
      8388607.5,
      -8388607.5,
      3e9 + 0.5,
      1e20,
      -1e20,
      Infinity,
      -Infinity,
      NaN,
    ];
    const expected = tf.tidy(() => Array.from(tf.round(tf.tensor(v)).dataSync()));
    const f32 = Float32Array.from(v);
    expect(Array.from(f32, roundHalfEven)).toEqual(expected);
    expect(roundHalfEven(2 ** 52 + 1)).toBe(2 ** 52 + 1);
  });
});

describe.each(['cpu', 'wasm'])('fused fake quantization on %s equals the composed ops', (backend) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    for (const seed of [1, 2, 3]) {
      // Reference: the composed ops on cpu, whose Sum accumulates in float64 in memory order, as the kernel does.
      await tf.setBackend('cpu');
      const ref = run(c, false, seed);
      await tf.setBackend(backend);
      const fused = run(c, true, seed);
      const composed = run(c, false, seed);
      fused.forEach((t, i) => expect(maxRel(t, ref[i], 0)).toBe(0));
      // Same backend, composed: elementwise results are identical; wasm's Sum accumulates in float32,
      // so its parameter gradients (sums of up to 360 terms) differ in the last bits.
      expect(maxRel(fused[0], composed[0], 0)).toBe(0);
      expect(maxRel(fused[1], composed[1], 0)).toBe(0);
      for (let i = 2; i < fused.length; i++)
        expect(maxRel(fused[i], composed[i], 1)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('runs the fused kernels, not the composed ops, and keeps the live tensor count flat', async () => {
    await tf.setBackend(backend);
    const lv = quantizerLevels(lvl('asymmetric'));
    const x = tf.randomNormal([2, 4, 4, 3], 0, 2, 'float32', 7);
    const low = tf.tensor([-1, -2, 0.5], [1, 1, 1, 3]);
    const range = tf.tensor([2, 3, 1], [1, 1, 1, 3]);
    const step = () =>
      tf.tidy(() => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => asymmetricFakeQuantize(a, b, d, lv))(
          [x, low, range],
        );
        g.forEach((t) => t.dataSync());
      });
    const scale = tf.tensor([1, 0.5, 2], [1, 1, 1, 3]);
    const prof = await tf.profile(() =>
      tf.tidy(() =>
        tf
          .grads((a: tf.Tensor, b: tf.Tensor) => symmetricFakeQuantize(a, b, lv))([x, scale])
          .forEach((t) => t.dataSync()),
      ),
    );
    const names = prof.kernelNames;
    expect(names).toContain(FAKE_QUANTIZE);
    expect(names).toContain(FAKE_QUANTIZE_GRAD);
    expect(names).not.toContain('Minimum');
    expect(names).not.toContain('Greater');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    for (let i = 0; i < 5; i++) tf.tidy(() => asymmetricFakeQuantize(x, low, range, lv).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, low, range, scale]);
  });
});
