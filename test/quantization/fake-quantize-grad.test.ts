import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Quantizer,
  asymmetricFakeQuantize,
  asymmetricLevels,
  symmetricFakeQuantize,
  symmetricLevels,
} from '../../src/algorithms/quantization/fake-quantize/index.js';
import { near } from '../helpers/fake-quantize.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});


/** Gradients of FQ w.r.t. every input for the upstream gradient w (no gradient registry needed). */
function grads(f: (...a: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], w: number[]): Float32Array[] {
  return tf.tidy(() => {
    const g = tf.grads((...a: tf.Tensor[]) => f(...a))(inputs, tf.tensor(w, inputs[0].shape));
    return g.map((t) => t.dataSync() as Float32Array);
  });
}

/** sum(x) with its own gradient, so variableGrads works without tfjs's gradient registry. */
const sumLoss = (x: tf.Tensor): tf.Scalar =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const t = args[0] as tf.Tensor;
    return { value: tf.sum(t), gradFunc: (dy: tf.Tensor) => tf.mul(tf.onesLike(t), dy) };
  })(x) as tf.Scalar;

describe('straight-through gradients (spec §1.4)', () => {
  it('symmetric 8-bit signed, scale 1: dx = mask_in, dscale = Σ(err·in + (ll/lh)·lo + hi)', () => {
    const lv = symmetricLevels(8, true);
    const x = tf.tensor([-2, -0.3, 0.3, 1.5]);
    const s = tf.tensor([1], [1]);
    const [dx, ds] = grads((a, b) => symmetricFakeQuantize(a, b, lv), [x, s], [1, 1, 1, 1]);
    near(dx, [0, 1, 1, 0]);
    // lo: -128/127; in: ±(0.3-38/127)/(255/127) cancel; hi: +1  →  -1/127
    near(ds, [-1 / 127]);
    const [, ds2] = grads((a, b) => symmetricFakeQuantize(a, b, lv), [tf.tensor([-0.3]), s], [1]);
    near(ds2, [(-38 / 127 + 0.3) / (255 / 127)], 7);
    tf.dispose([x, s]);
  });

  it('asymmetric 8-bit, low -1 range 3, upstream [1,2,3,4]', () => {
    const lv = asymmetricLevels(8);
    const x = tf.tensor([-2, 0.11, 0.52, 3]);
    const low = tf.tensor([-1], [1]);
    const range = tf.tensor([3], [1]);
    const [dx, dlow, drange] = grads((a, b, c) => asymmetricFakeQuantize(a, b, c, lv), [x, low, range], [1, 2, 3, 4]);
    near(dx, [0, 2, 3, 0]);
    near(dlow, [1 + 4]);
    const err1 = (9 / 85 - 0.11) / 3;
    const err2 = (44 / 85 - 0.52) / 3;
    near(drange, [2 * err1 + 3 * err2 + 4]);
    tf.dispose([x, low, range]);
  });

  it('per-channel gradients are summed per channel ([1,2] scale on [3,2] input)', () => {
    const lv = symmetricLevels(8, true);
    const x = tf.tensor([1.5, 0.1, -2, 0.3, 0.3, 5], [3, 2]);
    const s = tf.tensor([1, 2], [1, 2]);
    const [dx, ds] = grads((a, b) => symmetricFakeQuantize(a, b, lv), [x, s], [1, 1, 1, 1, 1, 1]);
    near(dx, [0, 1, 0, 1, 1, 0]);
    const ch0 = 1 - 128 / 127 + (38 / 127 - 0.3) / (255 / 127);
    const r1 = 2 * (255 / 127);
    const ch1 = (6 / 63.5 - 0.1) / r1 + (19 / 63.5 - 0.3) / r1 + 1;
    near(ds, [ch0, ch1]);
    tf.dispose([x, s]);
  });

  it('lrMultiplier scales parameter gradients only', () => {
    const lv = asymmetricLevels(8);
    const x = tf.tensor([-2, 3]);
    const low = tf.tensor([-1], [1]);
    const range = tf.tensor([3], [1]);
    const [dx, dlow, drange] = grads((a, b, c) => asymmetricFakeQuantize(a, b, c, lv, { lrMultiplier: 10 }), [x, low, range], [1, 1]);
    near(dx, [0, 0]);
    near(dlow, [20]);
    near(drange, [10]);
    tf.dispose([x, low, range]);
  });
});

describe('Quantizer gradients through its variables', () => {
  it('scale variable gets grad_range; with logarithm_scale the log variable gets grad·scale', () => {
    const plain = new Quantizer({ bits: 8, mode: 'symmetric', signedToForce: true });
    const logq = new Quantizer({ bits: 8, mode: 'symmetric', signedToForce: true, logarithmScale: true });
    plain.applyMinMaxInit([-2], [2]);
    logq.applyMinMaxInit([-2], [2]);
    const x = tf.tensor([-5, -0.6, 0.6, 5]);
    const grad = (q: Quantizer) =>
      tf.tidy(() => {
        const { grads: g } = tf.variableGrads(() => sumLoss(q.apply(x)), q.trainableVariables());
        return Object.values(g)[0].dataSync()[0];
      });
    const gPlain = grad(plain);
    // lo: -128/127, hi: +1, in: errors ±(0.6 - 38/63.5)/range cancel
    expect(gPlain).toBeCloseTo(-1 / 127, 6);
    expect(grad(logq)).toBeCloseTo(gPlain * 2, 6);
    plain.dispose();
    logq.dispose();
    x.dispose();
  });

  it('disabled quantizer is the identity and keeps x gradients 1', () => {
    const q = new Quantizer({ bits: 4, mode: 'asymmetric' });
    q.enabled = false;
    const x = tf.tensor([-7, 0.123, 9]);
    const y = q.apply(x);
    expect(y).toBe(x);
    const dx = tf.tidy(() => tf.grad((a: tf.Tensor) => sumLoss(q.apply(a)))(x).dataSync());
    near(dx, [1, 1, 1]);
    q.dispose();
    x.dispose();
  });

  it('live tensor count stays flat across repeated forward/backward steps', () => {
    const q = new Quantizer({ bits: 8, mode: 'asymmetric', perChannel: true, rank: 4, channelAxis: 3, channels: 3 });
    q.applyMinMaxInit([-1, -2, 0], [1, 2, 3]);
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 7);
    const step = () =>
      tf.tidy(() => {
        const { value, grads: g } = tf.variableGrads(() => sumLoss(q.apply(x)), q.trainableVariables());
        value.dataSync();
        Object.values(g).forEach((t) => t.dataSync());
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    for (let i = 0; i < 5; i++) tf.tidy(() => q.apply(x).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    q.dispose();
    x.dispose();
  });
});
