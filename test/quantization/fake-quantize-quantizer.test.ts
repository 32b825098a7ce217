import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Quantizer,
  QuantizerSpecError,
  RangeInitError,
  asymmetricMinMaxInit,
  symmetricMinMaxInit,
} from '../../src/algorithms/quantization/fake-quantize/index.js';
import { near, quantizerFactory } from '../helpers/fake-quantize.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const make = quantizerFactory();


describe('apply_minmax_init (spec §1.6)', () => {
  it('symmetric: signed from any(min<0), scale = max(|min|,|max|) floored at 0.1', () => {
    const r = symmetricMinMaxInit([-0.05, 0.01, -4], [0.08, 3, 1], null);
    expect(r.signed).toBe(true);
    near(r.scale, [0.1, 3, 4]);
    expect(symmetricMinMaxInit([0.2], [0.5], null)).toEqual({ signed: false, scale: new Float32Array([0.5]) });
    expect(symmetricMinMaxInit([0], [0.1], null).scale[0]).toBe(Math.fround(0.1));
  });

  it('symmetric: forced signedness wins over the statistics (v2.19.0 code)', () => {
    expect(symmetricMinMaxInit([-1], [1], false).signed).toBe(false);
    expect(symmetricMinMaxInit([0], [1], true).signed).toBe(true);
  });

  it('asymmetric: channels narrower than 1 % of the widest are widened symmetrically', () => {
    const r = asymmetricMinMaxInit([-1, 0.5, 2], [3, 0.5, 2.02]);
    near(r.inputRange, [4, 0.04, 0.04]);
    near(r.inputLow, [-1, 0.48, 1.99]);
  });

  it('Quantizer: init sets signedness, levels and parameters', () => {
    const q = make({ bits: 8, mode: 'symmetric' });
    expect(q.signed).toBe(false);
    expect(q.levelRange).toEqual({ levelLow: 0, levelHigh: 255, levels: 256 });
    expect(q.applyMinMaxInit([-0.5], [2])).toBe(true);
    expect(q.signed).toBe(true);
    expect(q.levelRange).toEqual({ levelLow: -128, levelHigh: 127, levels: 256 });
    near(q.scale(), [2]);
    const a = make({ bits: 8, mode: 'asymmetric', perChannel: true, rank: 4, channelAxis: -1, channels: 2 });
    expect(a.scaleShape).toEqual([1, 1, 1, 2]);
    a.applyMinMaxInit([-1, 0], [1, 5]);
    const { inputLow, inputRange } = a.inputLowRange();
    near(inputLow, [-1, 0]);
    near(inputRange, [2, 5]);
  });

  it('initial values before range init: scale 1, input_low 0, input_range 1', () => {
    near(make({ bits: 8, mode: 'symmetric' }).scale(), [1]);
    const a = make({ bits: 8, mode: 'asymmetric', logarithmScale: true });
    near(a.inputLowRange().inputLow, [0]);
    near(a.inputLowRange().inputRange, [1]);
  });

  it('errors: wrong statistic length, nothing collected, infinite or NaN values', () => {
    const q = make({ bits: 8, mode: 'symmetric', perChannel: true, rank: 2, channelAxis: 0, channels: 2 });
    expect(() => q.applyMinMaxInit([0], [1])).toThrow(/1 min \/ 1 max values, the scale has 2/);
    expect(() => q.applyMinMaxInit([Infinity, Infinity], [-Infinity, -Infinity], 'conv1|WEIGHT')).toThrow(
      /Statistics are not collected for conv1\|WEIGHT/,
    );
    expect(() => q.applyMinMaxInit([0, Infinity], [1, 1])).toThrow(RangeInitError);
    expect(() => q.applyMinMaxInit([0, 0], [1, NaN])).toThrow(/NaN/);
  });
});

describe('logarithm_scale (spec §1.5)', () => {
  it('stores log(scale) and quantizes exactly like the plain parametrization', () => {
    const plain = make({ bits: 8, mode: 'symmetric' });
    const logq = make({ bits: 8, mode: 'symmetric', logarithmScale: true });
    plain.applyMinMaxInit([-3], [3]);
    logq.applyMinMaxInit([-3], [3]);
    expect(logq.trainableVariables()[0].dataSync()[0]).toBeCloseTo(Math.log(3), 6);
    expect(logq.eps).toBe(0);
    near(logq.scale(), [3]);
    const x = tf.tensor([-4, -1.234, 0, 0.777, 2.5, 9]);
    const a = tf.tidy(() => plain.apply(x).dataSync());
    const b = tf.tidy(() => logq.apply(x).dataSync());
    near(b, Array.from(a));
    x.dispose();
  });

  it('asymmetric: stores log(input_range); state dicts hold real values and are interchangeable', () => {
    const logq = make({ bits: 8, mode: 'asymmetric', logarithmScale: true });
    logq.applyMinMaxInit([-1], [3]);
    expect(logq.trainableVariables()[1].dataSync()[0]).toBeCloseTo(Math.log(4), 6);
    const state = logq.toState();
    near(state.params.input_range ?? [], [4]);
    const plain = Quantizer.fromState({ ...state, spec: { ...state.spec, logarithmScale: false } });
    make.track(plain);
    near(plain.inputLowRange().inputRange, [4]);
    expect(plain.trainableVariables()[1].dataSync()[0]).toBeCloseTo(4, 6);
  });
});

describe('compression state (toState / fromState)', () => {
  it('round-trips spec, signedness, enabled flag and parameters; range init then skips it', () => {
    const q = make({
      bits: 4,
      mode: 'symmetric',
      perChannel: true,
      rank: 4,
      channelAxis: 3,
      channels: 2,
      narrowRange: false,
      halfRange: true,
      lrMultiplier: 2,
    });
    q.applyMinMaxInit([-1, -0.5], [2, 0.05]);
    q.enabled = false;
    const state = JSON.parse(JSON.stringify(q.toState()));
    const r = Quantizer.fromState(state);
    make.track(r);
    expect(r.spec).toEqual(q.spec);
    expect(r.signed).toBe(true);
    expect(r.enabled).toBe(false);
    expect(r.levelRange).toEqual({ levelLow: -4, levelHigh: 3, levels: 8 });
    near(r.scale(), [2, 0.5]);
    expect(r.initialized).toBe(true);
    expect(r.applyMinMaxInit([0, 0], [9, 9])).toBe(false);
    near(r.scale(), [2, 0.5]);
  });

  it('loading a different signedness updates the levels (test catalogue §2.6)', () => {
    const q = make({ bits: 8, mode: 'symmetric' });
    const state = { ...q.toState(), signed: true };
    const r = Quantizer.fromState(state);
    make.track(r);
    expect(r.levelRange).toEqual({ levelLow: -128, levelHigh: 127, levels: 256 });
  });

  it('rejects malformed states', () => {
    expect(() => Quantizer.fromState({ spec: {} })).toThrow(/not a quantizer state/);
    const good = make({ bits: 8, mode: 'asymmetric' }).toState();
    expect(() => Quantizer.fromState({ ...good, params: { input_low: [0] } })).toThrow(/params\.input_range must be 1 numbers/);
    expect(() => Quantizer.fromState({ ...good, signed: false })).toThrow(/always signed/);
  });
});

describe('spec validation', () => {
  it('rejects bad modes, bit widths, axes and channel counts', () => {
    expect(() => new Quantizer({ bits: 8, mode: 'sym' as 'symmetric' })).toThrow(QuantizerSpecError);
    expect(() => new Quantizer({ bits: 1, mode: 'symmetric' })).toThrow(/\[2, 16\]/);
    expect(() => new Quantizer({ bits: 8, mode: 'symmetric', perChannel: true, channelAxis: 0, channels: 3 })).toThrow(
      /rank/,
    );
    expect(() =>
      new Quantizer({ bits: 8, mode: 'symmetric', perChannel: true, rank: 4, channelAxis: 4, channels: 3 }),
    ).toThrow(/channel axis 4 is out of range for rank 4/);
    expect(() => new Quantizer({ bits: 8, mode: 'symmetric', perChannel: true, rank: 4, channelAxis: 1 })).toThrow(
      /channel count/,
    );
    expect(() => new Quantizer({ bits: 8, mode: 'symmetric', lrMultiplier: NaN })).toThrow(/lrMultiplier/);
  });

  it('does not leak variables when construction fails', () => {
    const before = tf.memory().numTensors;
    expect(() => new Quantizer({ bits: 2, mode: 'symmetric', halfRange: true })).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});
