import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, EngineError, defineOp, getOp, initBackend } from '../../src/engine/index.js';
import { f32, float, i64, int, ints, singleOp, str } from './graph-helpers.js';

/** Runs a one-node graph on plain arrays and returns the first output's values and shape. */
function run(g: ReturnType<typeof singleOp>, feeds: Record<string, { v: number[]; s: number[]; int?: boolean }>, training = false) {
  const engine = new Engine(g);
  const tfFeeds = Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, tf.tensor(f.v, f.s, f.int ? 'int32' : 'float32')]));
  const out = engine.run(tfFeeds, { training })[g.outputs[0].name];
  const res = { v: Array.from(out.dataSync()), s: out.shape };
  tf.dispose([out, ...Object.values(tfFeeds)]);
  engine.dispose();
  return res;
}

describe('ops vs hand-computed values', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('Conv 2x2 kernel, stride 1, no pad', () => {
    // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,1]] → sums of diagonals
    const g = singleOp('Conv', [{ name: 'x', shape: [1, 1, 3, 3] }], ['y'], { kernel_shape: ints([2, 2]) }, [f32('w', [1, 1, 2, 2], [1, 0, 0, 1])]);
    expect(run(g, { x: { v: [1, 2, 3, 4, 5, 6, 7, 8, 9], s: [1, 1, 3, 3] } })).toEqual({ v: [6, 8, 12, 14], s: [1, 1, 2, 2] });
  });

  it('Conv with asymmetric pads and bias', () => {
    // 1x1 kernel weight 2, pads top=1 left=0 bottom=0 right=1: zeros enter on top row and right column
    const g = singleOp('Conv', [{ name: 'x', shape: [1, 1, 2, 2] }], ['y'], { pads: ints([1, 0, 0, 1]) }, [f32('w', [1, 1, 1, 1], [2]), f32('b', [1], [1])]);
    expect(run(g, { x: { v: [1, 2, 3, 4], s: [1, 1, 2, 2] } })).toEqual({ v: [1, 1, 1, 3, 5, 1, 7, 9, 1], s: [1, 1, 3, 3] });
  });

  it('Gemm with transB and bias', () => {
    const g = singleOp('Gemm', [{ name: 'a', shape: [1, 2] }], ['y'], { transB: int(1) }, [f32('w', [2, 2], [1, 2, 3, 4]), f32('c', [2], [10, 20])]);
    // [1,1] · [[1,3],[2,4]] = [3, 7] + [10, 20]
    expect(run(g, { a: { v: [1, 1], s: [1, 2] } }).v).toEqual([13, 27]);
  });

  it('MaxPool / AveragePool with pads (count_include_pad 0 and 1)', () => {
    const x = { v: [1, 2, 3, 4], s: [1, 1, 2, 2] };
    const attrs = { kernel_shape: ints([2, 2]), pads: ints([1, 1, 0, 0]) };
    expect(run(singleOp('MaxPool', [{ name: 'x', shape: [1, 1, 2, 2] }], ['y'], attrs), { x }).v).toEqual([1, 2, 3, 4]);
    expect(run(singleOp('AveragePool', [{ name: 'x', shape: [1, 1, 2, 2] }], ['y'], attrs), { x }).v).toEqual([1, 1.5, 2, 2.5]);
    const incl = run(singleOp('AveragePool', [{ name: 'x', shape: [1, 1, 2, 2] }], ['y'], { ...attrs, count_include_pad: int(1) }), { x }).v;
    expect(incl).toEqual([0.25, 0.75, 1, 2.5]);
  });

  it('Clip: attributes before opset 11, inputs after', () => {
    const x = { v: [-2, 0.5, 9], s: [3] };
    expect(run(singleOp('Clip', [{ name: 'x', shape: [3] }], ['y'], { min: float(0), max: float(6) }, [], 9), { x }).v).toEqual([0, 0.5, 6]);
    expect(run(singleOp('Clip', [{ name: 'x', shape: [3] }], ['y'], {}, [f32('lo', [], [-1]), f32('hi', [], [1])], 13), { x }).v).toEqual([-1, 0.5, 1]);
  });

  it('Squeeze/Unsqueeze axes: attribute (opset 11) vs input (opset 13)', () => {
    const x = { v: [1, 2], s: [1, 2, 1] };
    expect(run(singleOp('Squeeze', [{ name: 'x', shape: [1, 2, 1] }], ['y'], { axes: ints([0]) }, [], 11), { x }).s).toEqual([2, 1]);
    expect(run(singleOp('Squeeze', [{ name: 'x', shape: [1, 2, 1] }], ['y'], {}, [i64('ax', [-1])], 13), { x }).s).toEqual([1, 2]);
    expect(run(singleOp('Unsqueeze', [{ name: 'x', shape: [1, 2, 1] }], ['y'], {}, [i64('ax', [0, 4])], 13), { x }).s).toEqual([1, 1, 2, 1, 1]);
  });

  it('Slice with INT64_MAX end and negative step', () => {
    const g = singleOp('Slice', [{ name: 'x', shape: [6] }], ['y'], {}, [
      i64('s', [-1]),
      { name: 'e', dtype: 'int64', dims: [1], values: BigInt64Array.of(-9223372036854775807n) },
      i64('a', [0]),
      i64('st', [-2]),
    ]);
    expect(run(g, { x: { v: [0, 1, 2, 3, 4, 5], s: [6] } }).v).toEqual([5, 3, 1]);
  });

  it('Split sizes: attribute (opset 11), input (13), num_outputs (18)', () => {
    const x = { v: [1, 2, 3, 4, 5], s: [5] };
    const g11 = singleOp('Split', [{ name: 'x', shape: [5] }], ['a', 'b'], { split: ints([2, 3]) }, [], 11);
    expect(run(g11, { x }).v).toEqual([1, 2]);
    const g18 = singleOp('Split', [{ name: 'x', shape: [5] }], ['a', 'b'], { num_outputs: int(2) }, [], 18);
    expect(run(g18, { x }).v).toEqual([1, 2, 3]);
  });

  it('ReduceMean axes attribute (opset 13) and input (opset 18), keepdims 0', () => {
    const x = { v: [1, 2, 3, 4, 5, 6], s: [2, 3] };
    expect(run(singleOp('ReduceMean', [{ name: 'x', shape: [2, 3] }], ['y'], { axes: ints([1]), keepdims: int(0) }, [], 13), { x }).v).toEqual([2, 5]);
    expect(run(singleOp('ReduceMean', [{ name: 'x', shape: [2, 3] }], ['y'], { keepdims: int(0) }, [i64('ax', [0])], 18), { x }).v).toEqual([2.5, 3.5, 4.5]);
  });

  it('Pad constant (opset 11 inputs) with a negative pad', () => {
    const g = singleOp('Pad', [{ name: 'x', shape: [3] }], ['y'], { mode: str('constant') }, [i64('p', [2, -1]), f32('v', [], [7])], 13);
    expect(run(g, { x: { v: [1, 2, 3], s: [3] } }).v).toEqual([7, 7, 1, 2]);
  });

  it('Resize nearest x2 (scales input, asymmetric/floor)', () => {
    const g = singleOp('Resize', [{ name: 'x', shape: [1, 1, 1, 2] }], ['y'], { coordinate_transformation_mode: str('asymmetric'), nearest_mode: str('floor') }, [], 13);
    g.nodes[0].inputs = ['x', '', 'sc'];
    g.initializers.set('sc', f32('sc', [4], [1, 1, 1, 2]));
    expect(run(g, { x: { v: [3, 4], s: [1, 1, 1, 2] } }).v).toEqual([3, 3, 4, 4]);
  });

  it('Range, ConstantOfShape, Shape (int64 as int32)', () => {
    const r = singleOp('Range', [], ['y'], {}, [f32('a', [], [1]), f32('b', [], [2]), f32('c', [], [0.25])]);
    expect(run(r, {}).v).toEqual([1, 1.25, 1.5, 1.75]);
    const c = singleOp('ConstantOfShape', [], ['y'], { value: { type: 'tensor', value: f32('v', [1], [3]) } }, [i64('s', [2, 2])]);
    expect(run(c, {}).v).toEqual([3, 3, 3, 3]);
    const s = singleOp('Shape', [{ name: 'x', shape: [2, 3, 4] }], ['y'], { start: int(-2) }, [], 15);
    expect(run(s, { x: { v: new Array(24).fill(0), s: [2, 3, 4] } }).v).toEqual([3, 4]);
  });

  it('Dropout: identity in eval, scaled mask in train mode', () => {
    const g = singleOp('Dropout', [{ name: 'x', shape: [1000] }], ['y'], {}, [f32('r', [], [0.5])], 13);
    const ones = { v: new Array(1000).fill(1), s: [1000] };
    expect(run(g, { x: ones }).v.every((v) => v === 1)).toBe(true);
    const t = run(g, { x: ones }, true).v;
    expect(t.every((v) => v === 0 || v === 2)).toBe(true);
    expect(t.filter((v) => v === 0).length).toBeGreaterThan(400);
  });

  it('Gelu, HardSwish, HardSigmoid at known points', () => {
    const x = { v: [-3, 0, 1, 3], s: [4] };
    const gelu = run(singleOp('Gelu', [{ name: 'x', shape: [4] }], ['y'], {}, [], 20), { x }).v;
    [-0.00404969, 0, 0.8413447, 2.9959502].forEach((e, i) => expect(gelu[i]).toBeCloseTo(e, 5));
    const hs = run(singleOp('HardSwish', [{ name: 'x', shape: [4] }], ['y']), { x }).v;
    [0, 0, 2 / 3, 3].forEach((e, i) => expect(hs[i]).toBeCloseTo(e, 6));
    expect(run(singleOp('HardSigmoid', [{ name: 'x', shape: [4] }], ['y']), { x }).v.map((v) => +v.toFixed(6))).toEqual([0, 0.5, 0.7, 1]);
  });
});

describe('registry and errors', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('registering an op twice throws', () => {
    expect(() => defineOp('Relu', ([x]) => x!)).toThrow(/already registered/);
  });

  it('unknown op names the op and node and suggests the nearest', () => {
    expect(() => getOp('Rellu', 'act1')).toThrow(/"Rellu" \(node "act1"\); did you mean "Relu"/);
    const g = singleOp('Convv', [{ name: 'x', shape: [1] }], ['y']);
    expect(() => new Engine(g)).toThrow(EngineError);
    expect(() => new Engine(g)).toThrow(/Convv.*Convv_0.*"Conv"/);
  });

  it('wrong input shape, dtype, missing or unknown feeds give clear errors', () => {
    const engine = new Engine(singleOp('Relu', [{ name: 'x', shape: ['N', 3] as never }], ['y']));
    expect(() => engine.run({ x: tf.zeros([2, 4]) })).toThrow(/input "x" expects shape \[N,3\], got \[2,4\]/);
    expect(() => engine.run({ x: tf.zeros([2, 3], 'int32') })).toThrow(/input "x" expects dtype float32, got int32/);
    expect(() => engine.run({})).toThrow(/missing feed for model input "x"/);
    expect(() => engine.run({ x: tf.zeros([2, 3]), xx: tf.zeros([1]) })).toThrow(/"xx" is not an input.*did you mean "x"/);
    expect(() => engine.run({ x: tf.zeros([2, 3]) }, { outputs: ['yy'] })).toThrow(/no tensor "yy".*did you mean "y"/);
    expect(engine.run({ x: tf.zeros([5, 3]) }).y.shape).toEqual([5, 3]);
    engine.dispose();
  });
});
