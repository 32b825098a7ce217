import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asymmetricFakeQuantize,
  symmetricFakeQuantize,
  symmetricLevels,
  asymmetricLevels,
  tuneRange,
} from '../../src/algorithms/quantization/fake-quantize/index.js';
import { near } from '../helpers/fake-quantize.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});


function sym(x: number[], scale: number[], scaleShape: number[], lv = symmetricLevels(8, true), xShape = [x.length]) {
  return tf.tidy(() => symmetricFakeQuantize(tf.tensor(x, xShape), tf.tensor(scale, scaleShape), lv).dataSync());
}

function asym(x: number[], low: number[], range: number[], shape: number[], lv = asymmetricLevels(8), xShape = [x.length]) {
  return tf.tidy(() =>
    asymmetricFakeQuantize(tf.tensor(x, xShape), tf.tensor(low, shape), tf.tensor(range, shape), lv).dataSync(),
  );
}

describe('symmetric fake quantization (spec §1.2)', () => {
  it('8-bit signed full range, scale 1: grid k/127 on [-128/127, 1]', () => {
    const out = sym([-2, -1, -0.3, 0, 0.3, 0.999, 1.5], [1], [1]);
    near(out, [-128 / 127, -1, -38 / 127, 0, 38 / 127, 1, 1]);
  });

  it('8-bit signed narrow range, scale 2: range [-2, 2], 255 levels', () => {
    const out = sym([-3, -0.9, 0.1, 1.7, 2.5], [2], [1], symmetricLevels(8, true, true));
    near(out, [-2, -57 / 63.5, 6 / 63.5, 108 / 63.5, 2]);
  });

  it('4-bit unsigned, scale 3: grid k/5 on [0, 3]', () => {
    const out = sym([-1, 0.33, 1.55, 2.65, 5], [3], [1], symmetricLevels(4, false));
    near(out, [0, 0.4, 1.6, 2.6, 3]);
  });

  it('per-channel weights in tfjs conv layout [kh,kw,cin,cout], axis 3, narrow range', () => {
    // cin=0 row: 0.3 in every channel; cin=1 row: 1.5 in every channel. scales [1, 2, 0.5].
    const out = sym([0.3, 0.3, 0.3, 1.5, 1.5, 1.5], [1, 2, 0.5], [1, 1, 1, 3], symmetricLevels(8, true, true), [1, 1, 2, 3]);
    near(out, [38 / 127, 19 * 2 / 127, 76 * 0.5 / 127, 1, 95 * 2 / 127, 0.5]);
  });

  it('per-channel NHWC activations, axis 3, unsigned', () => {
    const out = sym([0.2, 0.2, 2.1, 2.1], [1, 4], [1, 1, 1, 2], symmetricLevels(8, false), [1, 1, 2, 2]);
    near(out, [0.2, (13 * 4) / 255, 1, (134 * 4) / 255]);
  });

  it('keeps the input shape for a per-tensor [1] scale on a scalar input', () => {
    const shape = tf.tidy(() => symmetricFakeQuantize(tf.scalar(0.3), tf.tensor([1], [1]), symmetricLevels(8, true)).shape);
    expect(shape).toEqual([]);
  });
});

describe('TuneRange (spec §1.3)', () => {
  const tune = (low: number, range: number, levels = 256) =>
    tf.tidy(() => tuneRange(tf.tensor([low]), tf.tensor([range]), levels).map((t) => t.dataSync()[0]));

  it('widens [-0.25, 0.75] so that zero is level 64', () => {
    const [low, range] = tune(-0.25, 1);
    expect(low).toBeCloseTo((-64 * 0.75) / 191, 6);
    expect(range).toBeCloseTo((0.75 * 255) / 191, 6);
  });

  it('leaves a range whose zero is already on the grid', () => {
    const [low, range] = tune(-1, 3);
    expect(low).toBeCloseTo(-1, 6);
    expect(range).toBeCloseTo(3, 6);
  });

  it('stretches positive-only and negative-only ranges to include zero', () => {
    const [l1, r1] = tune(0.5, 1);
    expect(l1 === 0).toBe(true);
    expect(r1).toBeCloseTo(1.5, 6);
    const [l2, r2] = tune(-2, 1);
    expect(l2).toBeCloseTo(-2, 6);
    expect(r2).toBeCloseTo(2, 6);
  });
});

describe('asymmetric fake quantization (spec §1.3)', () => {
  it('8-bit, low -1 range 3: grid k/85', () => {
    near(asym([-2, 0.11, 1, 3], [-1], [3], [1]), [-1, 9 / 85, 1, 2]);
  });

  it('8-bit, tuned range [-0.2513089, 0.75]: zero exact, ends on the grid', () => {
    const s = 255 / ((0.75 * 255) / 191);
    const out = asym([-0.3, 0, 0.1, 0.75], [-0.25], [1], [1]);
    near(out, [-64 / s, 0, 25 / s, 0.75]);
    expect(out[1] === 0).toBe(true);
  });

  it('per-channel NHWC activations with different ranges per channel', () => {
    // channel 0: low -1 range 3 (grid 1/85); channel 1: low 0 range 1 (grid 1/255).
    const out = asym([0.11, 0.31, -2, 2], [-1, 0], [3, 1], [1, 1, 1, 2], asymmetricLevels(8), [1, 1, 2, 2]);
    near(out, [9 / 85, 79 / 255, -1, 1]);
  });
});

describe('zero is exactly representable (test catalogue §2.9)', () => {
  // Deterministic LCG so the sampled ranges are the same on every run.
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

  it('symmetric: scale ~ U(0,100), 256 levels −128..127', () => {
    const scales = Array.from({ length: 100 }, () => rand() * 100);
    const out = tf.tidy(() =>
      symmetricFakeQuantize(tf.zeros([100]), tf.tensor(scales, [100]), symmetricLevels(8, true)).dataSync(),
    );
    expect(Array.from(out).every((v) => v === 0)).toBe(true);
  });

  it('asymmetric: input_low ~ U(−100,0), range ~ U(0,100), 256 levels 0..255', () => {
    const lows = Array.from({ length: 100 }, () => -rand() * 100);
    const ranges = Array.from({ length: 100 }, () => rand() * 100);
    const out = asym(new Array(100).fill(0), lows, ranges, [100]);
    expect(Array.from(out).every((v) => v === 0)).toBe(true);
  });
});
