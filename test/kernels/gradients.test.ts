import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { relError, seeded, setupBackends } from './helpers.js';

beforeAll(setupBackends);

const T = (shape: number[], seed: number) => tf.tensor(seeded(shape, seed), shape);
const S = (t: tf.Tensor) => tf.sum(tf.mul(t, T(t.shape, 99)));

/** Each case: a scalar loss of some inputs; gradients w.r.t. all inputs are compared across backends. */
const cases: Record<string, { shapes: number[][]; f: (...xs: tf.Tensor[]) => tf.Tensor }> = {
  conv2dStride2: { shapes: [[2, 7, 7, 3], [3, 3, 3, 4]], f: (x, w) => S(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')) },
  conv2dDilated: { shapes: [[2, 9, 9, 3], [3, 3, 3, 2]], f: (x, w) => S(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2)) },
  conv1d: { shapes: [[2, 9, 3], [3, 3, 2]], f: (x, w) => S(tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'same')) },
  depthwise: { shapes: [[2, 7, 7, 4], [3, 3, 4, 2]], f: (x, w) => S(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')) },
  depthwiseDilated: { shapes: [[2, 9, 9, 4], [3, 3, 4, 1]], f: (x, w) => S(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid', 'NHWC', 2)) },
  conv2dTranspose: { shapes: [[2, 5, 5, 4], [3, 3, 2, 4]], f: (x, w) => S(tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 10, 10, 2], 2, 'same')) },
  matMul: { shapes: [[3, 5], [4, 5]], f: (a, b) => S(tf.matMul(a, b, false, true)) },
  batchMatMul: { shapes: [[2, 3, 5], [2, 5, 4]], f: (a, b) => S(tf.matMul(a, b)) },
  maxPool: { shapes: [[2, 7, 7, 3]], f: (x) => S(tf.maxPool(x as tf.Tensor4D, 3, 2, 'same')) },
  avgPool: { shapes: [[2, 7, 7, 3]], f: (x) => S(tf.avgPool(x as tf.Tensor4D, 3, 2, 'same')) },
  batchNorm: { shapes: [[2, 4, 4, 3], [3], [3]], f: (x, g, b) => S(tf.batchNorm(x, tf.mean(x, [0, 1, 2]), tf.add(tf.moments(x, [0, 1, 2]).variance, 1), b, g, 1e-3)) },
  activations: {
    shapes: [[4, 6]],
    f: (x) => tf.addN([S(tf.relu(x)), S(tf.relu6(tf.mul(x, 20))), S(tf.clipByValue(x, -0.2, 0.3)), S(tf.sigmoid(x)), S(tf.tanh(x)), S(tf.elu(x)), S(tf.leakyRelu(x, 0.1)), S(tf.erf(x))]),
  },
  prelu: { shapes: [[4, 6], [6]], f: (x, a) => S(tf.prelu(x, a)) },
  softmaxes: { shapes: [[4, 6]], f: (x) => tf.add(S(tf.softmax(x)), S(tf.logSoftmax(x))) },
  unaryMath: { shapes: [[4, 6]], f: (x) => tf.addN([S(tf.pow(tf.add(tf.abs(x), 0.5), 1.7)), S(tf.sqrt(tf.add(tf.abs(x), 0.1))), S(tf.exp(x)), S(tf.log(tf.add(tf.abs(x), 0.1)))]) },
  powBoth: { shapes: [[4, 6], [4, 6]], f: (x, y) => S(tf.pow(tf.add(tf.abs(x), 0.5), y)) },
  shapes: {
    shapes: [[4, 6]],
    f: (x) => tf.addN([S(tf.pad(x, [[1, 2], [0, 1]])), S(tf.slice(x, [1, 1], [2, 3])), S(tf.concat([x, tf.mul(x, 2)], 1)), S(tf.transpose(x)), S(tf.reshape(x, [3, 8])), S(tf.tile(x, [2, 3]))]),
  },
  gather: { shapes: [[5, 3]], f: (x) => S(tf.gather(x, tf.tensor1d([0, 4, 4, 2], 'int32'))) },
  reductions: { shapes: [[4, 6]], f: (x) => tf.addN([S(tf.mean(x, 1)), S(tf.sum(x, 0)), S(tf.max(x, 1)), S(tf.min(x, 0))]) },
  // cpu's ResizeBilinearGrad returns a wrong shape for non-square images: square here, and the
  // non-square case is checked against finite differences below.
  resize: { shapes: [[1, 4, 4, 2]], f: (x) => tf.add(S(tf.image.resizeBilinear(x as tf.Tensor4D, [6, 7])), S(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [6, 8]))) },
  resizeNonSquare: { shapes: [[1, 3, 4, 2]], f: (x) => tf.add(S(tf.image.resizeBilinear(x as tf.Tensor4D, [6, 7])), S(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [6, 8]))) },
  whereGreater: { shapes: [[4, 6]], f: (x) => S(tf.where(tf.greater(x, 0), x, tf.mul(x, 3))) },
  stridedSlice: { shapes: [[5, 7]], f: (x) => tf.add(S(tf.stridedSlice(x, [0, 1], [5, 7], [2, 3])), S(tf.stridedSlice(x, [4, 6], [0, 0], [-2, -1]))) },
};

function gradsOn(backend: string, name: string): Float32Array[] {
  tf.setBackend(backend);
  const { shapes, f } = cases[name];
  const res = tf.tidy(() => {
    const xs = shapes.map((s, i) => T(s, i + 1));
    return tf.grads((...a: tf.Tensor[]) => f(...a))(xs).map((g) => g.dataSync() as Float32Array);
  });
  tf.setBackend('wasm');
  return res;
}

describe('gradients on wasm (our kernels + tfjs-core gradients) agree with cpu', () => {
  it.each(Object.keys(cases).filter((k) => k !== 'resizeNonSquare'))('%s', (name) => {
    const w = gradsOn('wasm', name);
    const c = gradsOn('cpu', name);
    w.forEach((g, i) => expect(relError(g, c[i])).toBeLessThan(1e-5));
  });
});

describe('gradients agree with finite differences (float64 central differences on cpu)', () => {
  it.each(['conv2dDilated', 'depthwiseDilated', 'conv2dStride2', 'stridedSlice', 'resizeNonSquare'])('%s', (name) => {
    const analytic = gradsOn('wasm', name);
    const { shapes, f } = cases[name];
    tf.setBackend('cpu');
    const base = shapes.map((s, i) => seeded(s, i + 1));
    const loss = (vals: Float32Array[]) => tf.tidy(() => f(...vals.map((v, i) => tf.tensor(v, shapes[i]))).dataSync()[0]);
    const h = 1e-2; // losses are linear in each input, so a large step is exact up to rounding
    for (let k = 0; k < shapes.length; k++) {
      for (let probe = 0; probe < 6; probe++) {
        const idx = (probe * 7919) % base[k].length;
        const plus = base.map((v) => v.slice());
        const minus = base.map((v) => v.slice());
        plus[k][idx] += h;
        minus[k][idx] -= h;
        const numeric = (loss(plus) - loss(minus)) / (2 * h);
        expect(Math.abs(numeric - analytic[k][idx])).toBeLessThan(1e-2 * Math.max(1, Math.abs(numeric)));
      }
    }
    tf.setBackend('wasm');
  });
});
