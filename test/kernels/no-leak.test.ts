import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTrain } from '../../src/engine/kernels/index.js';
import { seeded, setupBackends } from './helpers.js';

beforeAll(setupBackends);

describe('repeated gradient calls on wasm', () => {
  it('keep the live tensor count and the wasm heap tensor count constant', () => {
    const x = tf.tensor4d(seeded([4, 9, 9, 3], 41), [4, 9, 9, 3]);
    const w1 = tf.variable(tf.tensor4d(seeded([3, 3, 3, 8], 42), [3, 3, 3, 8]));
    const dw = tf.variable(tf.tensor4d(seeded([3, 3, 8, 1], 43), [3, 3, 8, 1]));
    const g = tf.variable(tf.ones([8]) as tf.Tensor1D);
    const b = tf.variable(tf.zeros([8]) as tf.Tensor1D);
    const idx = tf.tensor1d([0, 2, 2, 5], 'int32');
    const loss = () => {
      let h: tf.Tensor = tf.conv2d(x, w1, 2, 'same');
      h = tf.relu(batchNormTrain(h, g, b).y);
      h = tf.depthwiseConv2d(h as tf.Tensor4D, dw, 1, 'same', 'NHWC', 2);
      h = tf.conv2dTranspose(h as tf.Tensor4D, tf.ones([2, 2, 3, 8]) as tf.Tensor4D, [4, 10, 10, 3], 2, 'same');
      return tf.sum(tf.gather(tf.reshape(h, [40, 30]), idx)) as tf.Scalar;
    };
    const step = () => {
      const { value, grads } = tf.variableGrads(loss);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    tf.dispose([x, w1, dw, g, b, idx]);
  });
});
