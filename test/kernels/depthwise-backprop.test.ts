import { beforeAll, describe, expect, it } from 'vitest';
import { naiveConvGrads } from './naive-conv.js';
import { outputShape, relError, runOn, seeded, setupBackends } from './helpers.js';

beforeAll(setupBackends);

type Case = { x: number[]; f: number[]; s: number | [number, number]; p: unknown; d?: number | [number, number] };
const explicit = [[0, 0], [1, 2], [0, 1], [0, 0]];

function run(c: Case, backend: 'wasm' | 'cpu', d: unknown) {
  const dyShape = outputShape(c.x, c.f, c.s, c.p, d, true);
  const x = { shape: c.x, values: seeded(c.x, 11) };
  const f = { shape: c.f, values: seeded(c.f, 12) };
  const dy = { shape: dyShape, values: seeded(dyShape, 13) };
  const attrs = { strides: c.s, pad: c.p, dilations: d };
  return {
    dw: runOn(backend, 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: c.f }),
    dx: runOn(backend, 'DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, { ...attrs, inputShape: c.x }),
    inputs: { x, f, dy },
  };
}

describe('wasm depthwise conv backprop kernels', () => {
  it.each<Case>([
    { x: [2, 7, 7, 3], f: [3, 3, 3, 1], s: 1, p: 'same' },
    { x: [2, 7, 7, 3], f: [3, 3, 3, 2], s: 2, p: 'same' },
    { x: [2, 8, 6, 3], f: [3, 2, 3, 3], s: [2, 1], p: 'valid' },
    { x: [2, 9, 8, 3], f: [3, 3, 3, 1], s: 2, p: explicit },
    { x: [1, 11, 11, 5], f: [5, 5, 5, 1], s: 2, p: 'same' },
    { x: [2, 12, 13, 8], f: [3, 3, 8, 1], s: 2, p: 'same' },
    { x: [2, 10, 9, 4], f: [3, 2, 4, 1], s: [3, 2], p: explicit },
  ])('match the cpu backend: x $x f $f strides $s pad $p', (c) => {
    const w = run(c, 'wasm', 1);
    const r = run(c, 'cpu', 1);
    expect(relError(w.dw, r.dw)).toBeLessThan(3e-6);
    expect(relError(w.dx, r.dx)).toBeLessThan(3e-6);
  });

  it.each<Case>([
    { x: [1, 9, 9, 2], f: [3, 3, 2, 1], s: 1, p: 'valid', d: 2 },
    { x: [2, 10, 9, 3], f: [3, 3, 3, 2], s: 1, p: 'same', d: [3, 2] },
    { x: [2, 11, 12, 4], f: [3, 3, 4, 1], s: 2, p: 'same', d: 2 },
  ])('handle dilations and multipliers (vs direct loops): x $x f $f dilation $d', (c) => {
    const w = run(c, 'wasm', c.d);
    const { x, f, dy } = w.inputs;
    const ref = naiveConvGrads(x.values, c.x, f.values, c.f, dy.values, c.s, c.p, c.d ?? 1, true);
    expect(relError(w.dw, ref.dw)).toBeLessThan(3e-6);
    expect(relError(w.dx, ref.dx)).toBeLessThan(3e-6);
  });
});
