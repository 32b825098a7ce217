import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTrain } from '../../src/engine/kernels/index.js';
import { relError, seeded, setupBackends } from './helpers.js';

beforeAll(setupBackends);

/** Plain-ops BatchNorm whose gradient tfjs derives by autodiff: the reference. */
function referenceBN(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number, axis: number): tf.Tensor {
  const axes = x.shape.map((_, i) => i).filter((i) => i !== axis);
  const bshape = x.shape.map((d, i) => (i === axis ? d : 1));
  const { mean, variance } = tf.moments(x, axes, true);
  const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(xhat, tf.reshape(g, bshape)), tf.reshape(b, bshape));
}

function compare(backend: string, shape: number[], axis: number) {
  tf.setBackend(backend);
  const C = shape[axis];
  const x = tf.add(tf.mul(tf.tensor(seeded(shape, 21), shape), 3), 1.5);
  const g = tf.tensor1d(seeded([C], 22));
  const b = tf.tensor1d(seeded([C], 23));
  const weights = tf.tensor(seeded(shape, 24), shape);
  const lossOurs = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(xx, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-3, axis).y, weights));
  const lossRef = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(referenceBN(xx, gg, bb, 1e-3, axis), weights));
  const ours = tf.tidy(() => tf.grads(lossOurs)([x, g, b]).map((t) => t.dataSync()));
  tf.setBackend('cpu');
  const ref = tf.tidy(() => tf.grads(lossRef)([x, g, b]).map((t) => t.dataSync()));
  const axes = shape.map((_, i) => i).filter((i) => i !== axis);
  tf.setBackend(backend);
  const fwd = batchNormTrain(x, g, b, 1e-3, axis);
  const refY = referenceBN(x, g, b, 1e-3, axis);
  const m = tf.moments(x, axes);
  const result = {
    y: relError(fwd.y.dataSync(), refY.dataSync()),
    mean: relError(fwd.mean.dataSync(), m.mean.dataSync()),
    variance: relError(fwd.variance.dataSync(), m.variance.dataSync()),
    grads: ours.map((o, i) => relError(o, ref[i])),
  };
  tf.dispose([x, g, b, weights, fwd.y, fwd.mean, fwd.variance, refY, m.mean, m.variance]);
  tf.setBackend('wasm');
  return result;
}

describe('batchNormTrain (closed-form backward)', () => {
  it.each([
    { backend: 'wasm', shape: [4, 5, 3, 6], axis: 3 },
    { backend: 'wasm', shape: [3, 9, 7, 8], axis: 3 },
    { backend: 'wasm', shape: [4, 6, 5, 3], axis: 1 },
    { backend: 'cpu', shape: [3, 7, 4], axis: 2 },
  ])('matches plain-ops autodiff: $backend $shape axis $axis', ({ backend, shape, axis }) => {
    const r = compare(backend, shape, axis);
    expect(r.y).toBeLessThan(1e-5);
    expect(r.mean).toBeLessThan(1e-5);
    expect(r.variance).toBeLessThan(1e-5);
    for (const e of r.grads) expect(e).toBeLessThan(1e-4);
  });

  it('returns stats with shape [C] and does not leak tensors', () => {
    const x = tf.tensor(seeded([2, 3, 3, 4], 31), [2, 3, 3, 4]);
    const g = tf.ones([4]) as tf.Tensor1D;
    const b = tf.zeros([4]) as tf.Tensor1D;
    const step = () => {
      const r = tf.tidy(() => {
        const out = batchNormTrain(x, g, b);
        expect(out.mean.shape).toEqual([4]);
        return tf.grads((xx: tf.Tensor, gg: tf.Tensor) => tf.sum(tf.square(batchNormTrain(xx, gg as tf.Tensor1D, b).y)))([x, g]);
      });
      tf.dispose(r);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b]);
  });
});
