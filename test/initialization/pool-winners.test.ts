/**
 * MaxPool winners for frozen Hessian-vector products (src/initialization/hessian/pool-winners.ts): the
 * winner of every window equals onnxruntime's `Indices` output (first maximum, ties included) for
 * overlapping, padded, ceil_mode, dilated, SAME-padded and 1-D pools; the frozen gather's gradient
 * scatters onto the winners, adding up where overlapping windows share one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { gatherWinners, maxPoolGeometry, poolWinners } from '../../src/initialization/hessian/pool-winners.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { runOrt, seededFloats } from '../onnx/ort-utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

type Attrs = Record<string, number | number[] | string>;

const CASES: { name: string; shape: number[]; attrs: Attrs }[] = [
  { name: "ResNet's stem 3×3 / 2, pads 1", shape: [2, 3, 9, 9], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: '3×3 / 1 (every element in up to 9 windows)', shape: [1, 2, 6, 7], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } },
  { name: 'ceil_mode, 3×3 / 2, asymmetric pads', shape: [1, 2, 8, 8], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0], ceil_mode: 1 } },
  { name: 'dilation 2', shape: [1, 2, 9, 9], attrs: { kernel_shape: [2, 2], dilations: [2, 2], strides: [1, 1] } },
  { name: 'SAME_UPPER 2×2 / 2 on odd sizes', shape: [1, 2, 7, 5], attrs: { kernel_shape: [2, 2], strides: [2, 2], auto_pad: 'SAME_UPPER' } },
  { name: 'SAME_LOWER 3×3 / 2', shape: [1, 2, 6, 6], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' } },
  { name: '1-D 3 / 2, pads 1', shape: [2, 3, 11], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] } },
];

function poolModel(shape: number[], attrs: Attrs) {
  const b = new OnnxBuilder({ opset: 13, name: 'pool' });
  b.input('x', shape);
  b.node('MaxPool', ['x'], attrs, { name: 'pool', outputs: ['y', 'idx'] });
  b.output('y', null);
  b.output('idx', null, 'int64');
  return b;
}

describe('MaxPool winners', () => {
  for (const c of CASES)
    it(`${c.name}: equal to onnxruntime's Indices (ties: the first maximum)`, async () => {
      const b = poolModel(c.shape, c.attrs);
      const n = c.shape.reduce((a, d) => a * d, 1);
      // values on a coarse grid so windows hold ties
      const x = Float32Array.from(seededFloats(n, 7), (v) => Math.round(v * 3) / 3);
      const ort = await runOrt(b.toBytes(), { x: { dims: c.shape, data: x } });
      const geometry = maxPoolGeometry(b.toGraph().node('pool')!)!;
      const winners = poolWinners(x, c.shape, ort.y.dims, geometry);
      expect(Array.from(winners)).toEqual(Array.from(ort.idx.data, Number));
      expect(Array.from(winners, (i) => x[i])).toEqual(Array.from(ort.y.data as Float32Array));
    }, 120_000);

  it('3-D pools are not frozen (null geometry)', () => {
    const b = new OnnxBuilder({ opset: 13 });
    b.input('x', [1, 1, 4, 4, 4]);
    b.node('MaxPool', ['x'], { kernel_shape: [2, 2, 2] }, { name: 'p3', outputs: ['y'] });
    b.output('y', null);
    expect(maxPoolGeometry(b.toGraph().node('p3')!)).toBeNull();
  });

  it('the frozen gather reads the winners and its gradient adds up where windows share a winner', () => {
    const before = tf.memory().numTensors;
    // x [1,1,1,5] with 1-D-like 1×3 windows stride 1: the maximum 9 at column 2 wins all three windows
    const x = tf.tensor([1, 4, 9, 2, 3], [1, 1, 1, 5]);
    const winners = tf.tensor1d([2, 2, 2], 'int32');
    const dy = tf.tensor([0.5, 1, 2], [1, 1, 1, 3]);
    const y = gatherWinners(x, winners, [1, 1, 1, 3]);
    expect(Array.from(y.dataSync())).toEqual([9, 9, 9]);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherWinners(t, winners, [1, 1, 1, 3]), dy)))(x);
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 3.5, 0, 0]);
    tf.dispose([x, winners, dy, y, dx]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
