import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { roundHalfEven } from '../../src/algorithms/quantization/fake-quantize/index.js';
import { near, quantizerFactory } from '../helpers/fake-quantize.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const make = quantizerFactory();


describe('FakeQuantize / QDQ export parameters (spec §1.5)', () => {
  it('8-bit narrow-range per-channel weights: [-s, s], 255 levels, int8 zero point 0', () => {
    const q = make({ bits: 8, mode: 'symmetric', signedToForce: true, narrowRange: true, perChannel: true, rank: 4, channelAxis: 3, channels: 2 });
    q.applyMinMaxInit([-0.5, -1], [0.25, 2]);
    const fq = q.fakeQuantizeParams();
    expect(fq.levels).toBe(255);
    expect(fq.channelAxis).toBe(3);
    near(fq.inputLow, [-0.5, -2]);
    near(fq.inputHigh, [0.5, 2]);
    expect(fq.clip).toBeUndefined();
    const qdq = q.qdqParams();
    near(qdq.scale, [1 / 254, 4 / 254], 8);
    expect(Array.from(qdq.zeroPoint)).toEqual([0, 0]);
    expect(qdq.dtype).toBe('int8');
    expect(qdq.axis).toBe(3);
  });

  it('unsigned 8-bit activations: uint8, zero point 0, scale high/255', () => {
    const q = make({ bits: 8, mode: 'symmetric' });
    q.applyMinMaxInit([0], [4]);
    const qdq = q.qdqParams();
    near(qdq.scale, [4 / 255], 8);
    expect(Array.from(qdq.zeroPoint)).toEqual([0]);
    expect(qdq.dtype).toBe('uint8');
    expect(qdq.axis).toBeNull();
  });

  it('signed full-range activations: low = -scale·128/127', () => {
    const q = make({ bits: 8, mode: 'symmetric' });
    q.applyMinMaxInit([-1], [0.5]);
    const fq = q.fakeQuantizeParams();
    near(fq.inputLow, [-128 / 127]);
    near(fq.inputHigh, [1]);
    near(q.qdqParams().scale, [1 / 127], 8);
    expect(q.qdqParams().dtype).toBe('int8');
  });

  it('asymmetric: the tuned range goes out, zero point = level of 0.0', () => {
    const q = make({ bits: 8, mode: 'asymmetric' });
    q.applyMinMaxInit([-0.25], [0.75]);
    const fq = q.fakeQuantizeParams();
    near(fq.inputLow, [(-64 * 0.75) / 191]);
    near(fq.inputHigh, [0.75]);
    const qdq = q.qdqParams();
    near(qdq.scale, [0.75 / 191], 8);
    expect(Array.from(qdq.zeroPoint)).toEqual([64]);
    expect(qdq.dtype).toBe('uint8');
  });

  it('half range symmetric: 8-bit levels over a doubled range, x clipped to the 7-bit range', () => {
    const q = make({ bits: 8, mode: 'symmetric', signedToForce: true, halfRange: true });
    q.applyMinMaxInit([-1], [1]);
    expect(q.levelRange).toEqual({ levelLow: -64, levelHigh: 63, levels: 128 });
    const fq = q.fakeQuantizeParams();
    expect([fq.levelLow, fq.levelHigh, fq.levels]).toEqual([-128, 127, 256]);
    near(fq.inputHigh, [127 / 63]);
    near(fq.inputLow, [-128 / 63]);
    near(fq.clip?.low ?? [], [-64 / 63]);
    near(fq.clip?.high ?? [], [1]);
    const qdq = q.qdqParams();
    near(qdq.scale, [1 / 63], 8); // the 7-bit step: the exported grid is the simulated one
    expect(Array.from(qdq.zeroPoint)).toEqual([0]);
    expect(qdq.clip).toBeDefined();
  });

  it('half range asymmetric: same step and zero point as the 7-bit grid', () => {
    const q = make({ bits: 8, mode: 'asymmetric', halfRange: true });
    q.applyMinMaxInit([-1], [2]);
    // 7-bit TuneRange of [-1, 2]: zp = round(127/3) = 42 keeps low, high becomes 85/42.
    const fq = q.fakeQuantizeParams();
    near(fq.clip?.low ?? [], [-1]);
    near(fq.clip?.high ?? [], [85 / 42]);
    const step = (1 + 85 / 42) / 127;
    near(fq.inputLow, [-1]);
    near(fq.inputHigh, [-1 + 255 * step], 5);
    const qdq = q.qdqParams();
    near(qdq.scale, [step], 7);
    expect(Array.from(qdq.zeroPoint)).toEqual([42]);
  });

  it('simulated output equals dequantize(quantize(x)) with the exported scale / zero point', () => {
    const q = make({ bits: 8, mode: 'asymmetric' });
    q.applyMinMaxInit([-0.37], [1.91]);
    const xs = [-1, -0.37, -0.1, 0, 0.2345, 1, 1.91, 3];
    const sim = tf.tidy(() => q.apply(tf.tensor(xs)).dataSync());
    const { scale, zeroPoint } = q.qdqParams();
    const ort = xs.map((x) => (Math.min(Math.max(roundHalfEven(x / scale[0]) + zeroPoint[0], 0), 255) - zeroPoint[0]) * scale[0]);
    near(sim, ort, 5);
  });

  it('QDQ export refuses anything but 255/256 levels', () => {
    const q = make({ bits: 4, mode: 'symmetric' });
    expect(() => q.qdqParams()).toThrow(/only 8-bit.*16/);
    expect(q.fakeQuantizeParams().levels).toBe(16);
  });

  it('roundHalfEven matches torch.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2, -3]);
  });
});
