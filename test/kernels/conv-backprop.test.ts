import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { naiveConvGrads } from './naive-conv.js';
import { outputShape, relError, runOn, seeded, setupBackends } from './helpers.js';

beforeAll(setupBackends);

type Case = { x: number[]; f: number[]; s: number | [number, number]; p: unknown; d?: number | [number, number] };
const explicit = [[0, 0], [1, 2], [0, 1], [0, 0]];
const cases: Case[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 1, p: 'same' },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], s: 2, p: 'same' },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], s: 2, p: 'same' },
  { x: [2, 8, 6, 3], f: [3, 2, 3, 5], s: [2, 1], p: 'valid' },
  { x: [2, 9, 8, 3], f: [3, 3, 3, 2], s: 2, p: explicit },
  { x: [3, 5, 5, 4], f: [1, 1, 4, 6], s: 2, p: 'valid' },
  { x: [1, 10, 9, 2], f: [5, 4, 2, 3], s: 3, p: 'same' },
  { x: [2, 6, 6, 8], f: [3, 3, 8, 8], s: 1, p: 1 },
  { x: [2, 7, 9, 16], f: [3, 2, 16, 5], s: 1, p: explicit },
  // padding wider than the filter: the phase split would need dy cropped, the dilate path runs
  { x: [2, 6, 7, 3], f: [1, 1, 3, 4], s: 2, p: [[0, 0], [1, 1], [2, 1], [0, 0]] },
  { x: [2, 9, 9, 3], f: [4, 4, 3, 2], s: [3, 2], p: 'same' },
];

describe('wasm Conv2DBackpropFilter / Conv2DBackpropInput', () => {
  it.each(cases)('match the cpu backend: x $x f $f strides $s pad $p', (c) => {
    const dyShape = outputShape(c.x, c.f, c.s, c.p, 1, false);
    const x = { shape: c.x, values: seeded(c.x, 1) };
    const f = { shape: c.f, values: seeded(c.f, 2) };
    const dy = { shape: dyShape, values: seeded(dyShape, 3) };
    const attrs = { strides: c.s, pad: c.p, dataFormat: 'NHWC', dimRoundingMode: undefined };
    const fa = { ...attrs, filterShape: c.f };
    const ia = { ...attrs, inputShape: c.x };
    expect(relError(runOn('wasm', 'Conv2DBackpropFilter', { x, dy }, fa), runOn('cpu', 'Conv2DBackpropFilter', { x, dy }, fa))).toBeLessThan(3e-6);
    expect(relError(runOn('wasm', 'Conv2DBackpropInput', { dy, filter: f }, ia), runOn('cpu', 'Conv2DBackpropInput', { dy, filter: f }, ia))).toBeLessThan(3e-6);
  });

  it.each<Case>([
    { x: [1, 9, 9, 2], f: [3, 3, 2, 2], s: 1, p: 'valid', d: 2 },
    { x: [2, 10, 11, 3], f: [3, 2, 3, 4], s: 1, p: 'same', d: [2, 3] },
    { x: [2, 9, 9, 2], f: [2, 2, 2, 3], s: 1, p: explicit, d: 3 },
    { x: [2, 11, 10, 2], f: [3, 3, 2, 3], s: 2, p: 'same', d: 2 },
    { x: [2, 12, 11, 8], f: [3, 3, 8, 4], s: 1, p: 'same', d: 2 },
    { x: [1, 12, 12, 2], f: [3, 2, 2, 2], s: [3, 2], p: explicit, d: [2, 3] },
  ])('handle dilations, also with strides (vs direct loops): x $x f $f strides $s dilation $d pad $p', (c) => {
    const dyShape = outputShape(c.x, c.f, c.s, c.p, c.d, false);
    const xv = seeded(c.x, 4);
    const fv = seeded(c.f, 5);
    const dyv = seeded(dyShape, 6);
    const ref = naiveConvGrads(xv, c.x, fv, c.f, dyv, c.s, c.p, c.d ?? 1, false);
    const attrs = { strides: c.s, pad: c.p, dilations: c.d, dataFormat: 'NHWC' };
    const dw = runOn('wasm', 'Conv2DBackpropFilter', { x: { shape: c.x, values: xv }, dy: { shape: dyShape, values: dyv } }, { ...attrs, filterShape: c.f });
    const dx = runOn('wasm', 'Conv2DBackpropInput', { dy: { shape: dyShape, values: dyv }, filter: { shape: c.f, values: fv } }, { ...attrs, inputShape: c.x });
    expect(relError(dw, ref.dw)).toBeLessThan(3e-6);
    expect(relError(dx, ref.dx)).toBeLessThan(3e-6);
  });

  it('make conv2dTranspose work on wasm (it runs Conv2DBackpropInput forward)', () => {
    const x = seeded([2, 5, 5, 4], 7);
    const f = seeded([3, 3, 2, 4], 8);
    const on = (b: string): Float32Array => {
      tf.setBackend(b);
      const r = tf.tidy(() => tf.conv2dTranspose(tf.tensor4d(x, [2, 5, 5, 4]), tf.tensor4d(f, [3, 3, 2, 4]), [2, 10, 10, 2], 2, 'same').dataSync() as Float32Array);
      tf.setBackend('wasm');
      return r;
    };
    expect(relError(on('wasm'), on('cpu'))).toBeLessThan(3e-6);
  });
});
