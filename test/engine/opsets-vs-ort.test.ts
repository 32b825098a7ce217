import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, initBackend } from '../../src/engine/index.js';
import { OnnxBuilder, type AttrInput } from '../helpers/onnx-builder.js';
import { compare, randomFeed, runEngine, runOrt } from './ort-helpers.js';

/**
 * Attributes that became inputs across opsets 9-21, each op built the way its opset spells it and
 * compared with onnxruntime-node: Squeeze/Unsqueeze axes (13), Split sizes (13) and num_outputs (18),
 * Reduce* axes (ReduceSum 13, others 18), Clip min/max (11), Pad pads/value (11) and axes (18),
 * Slice starts/ends (10), Resize scales (10) / roi+scales+sizes (11, 13), Upsample (9), Dropout ratio (12),
 * Softmax coercion (< 13), BatchNormalization (9, 14, 15).
 */
type Build = (b: OnnxBuilder, opset: number) => void;

const axesAttrOrInput = (b: OnnxBuilder, opset: number, since: number, axes: number[], name: string): { inputs: string[]; attrs: Record<string, AttrInput> } =>
  opset >= since ? { inputs: [b.ints(name, axes)], attrs: {} } : { inputs: [], attrs: { axes } };

const cases: [string, number[], Build][] = [
  ['Squeeze/Unsqueeze', [11, 13, 21], (b, o) => {
    const sq = axesAttrOrInput(b, o, 13, [1], 'sa');
    const s = b.node('Squeeze', [b.input('x', [2, 1, 3]), ...sq.inputs], sq.attrs);
    const us = axesAttrOrInput(b, o, 13, [0, 3], 'ua');
    b.output(b.node('Unsqueeze', [s, ...us.inputs], us.attrs));
  }],
  ['Split', [11, 13, 18], (b, o) => {
    const x = b.input('x', [2, 6]);
    const outs = o >= 18 ? b.nodeOutputs('Split', [x], { axis: 1, num_outputs: 3 }, { outputs: 3 })
      : o >= 13 ? b.nodeOutputs('Split', [x, b.ints('sp', [1, 2, 3])], { axis: 1 }, { outputs: 3 })
      : b.nodeOutputs('Split', [x], { axis: 1, split: [1, 2, 3] }, { outputs: 3 });
    outs.forEach((t) => b.output(t));
  }],
  ['ReduceSum/ReduceMean/ReduceMax', [11, 13, 18], (b, o) => {
    const x = b.input('x', [2, 3, 4]);
    const s = axesAttrOrInput(b, o, 13, [1, -1], 'rs');
    b.output(b.node('ReduceSum', [x, ...s.inputs], { ...s.attrs, keepdims: 0 }));
    const m = axesAttrOrInput(b, o, 18, [0, 2], 'rm');
    b.output(b.node('ReduceMean', [x, ...m.inputs], m.attrs));
    const mx = axesAttrOrInput(b, o, 18, [2], 'rx');
    b.output(b.node('ReduceMax', [x, ...mx.inputs], { ...mx.attrs, keepdims: 0 }));
  }],
  ['Clip', [9, 11, 13], (b, o) => {
    const x = b.input('x', [3, 4]);
    b.output(o >= 11 ? b.node('Clip', [x, b.scalar('lo', -0.5), b.scalar('hi', 0.25)]) : b.node('Clip', [x], { min: -0.5, max: 0.25 }));
  }],
  ['Pad', [9, 11, 18], (b, o) => {
    const x = b.input('x', [1, 2, 3, 3]);
    if (o >= 18) b.output(b.node('Pad', [x, b.ints('p', [1, 2, 0, 1]), b.scalar('v', 0.5), b.ints('ax', [2, 3])]));
    else if (o >= 11) b.output(b.node('Pad', [x, b.ints('p', [0, 0, 1, 2, 0, 0, 0, 1]), b.scalar('v', 0.5)]));
    else b.output(b.node('Pad', [x], { pads: [0, 0, 1, 2, 0, 0, 0, 1], value: 0.5 }));
  }],
  ['Slice', [9, 10, 13], (b, o) => {
    const x = b.input('x', [4, 5]);
    if (o >= 10) b.output(b.node('Slice', [x, b.ints('s', [1, -4]), b.ints('e', [100, -1]), b.ints('a', [0, 1]), b.ints('st', [2, 1])]));
    else b.output(b.node('Slice', [x], { starts: [1, -4], ends: [100, -1], axes: [0, 1] }));
  }],
  ['Resize / Upsample nearest', [9, 10, 11, 13, 18], (b, o) => {
    const x = b.input('x', [1, 2, 3, 4]);
    const sc = b.initializer('sc', 'float32', [4], [1, 1, 2, 1.5]);
    if (o === 9) b.output(b.node('Upsample', [x, sc], { mode: 'nearest' }));
    else if (o === 10) b.output(b.node('Resize', [x, sc], { mode: 'nearest' }));
    else if (o === 11) b.output(b.node('Resize', [x, b.initializer('roi', 'float32', [0], []), sc], { mode: 'nearest' }));
    else b.output(b.node('Resize', [x, '', sc], { mode: 'linear' }));
  }],
  ['Dropout (eval)', [9, 12, 13], (b, o) => {
    const x = b.input('x', [3, 4]);
    b.output(o >= 12 ? b.node('Dropout', [x, b.scalar('r', 0.3)]) : b.node('Dropout', [x], { ratio: 0.3 }));
  }],
  ['Softmax / LogSoftmax on 3-D', [11, 13], (b) => {
    const x = b.input('x', [2, 3, 4]);
    b.output(b.node('Softmax', [x], { axis: 1 }));
    b.output(b.node('LogSoftmax', [x], { axis: 1 }));
  }],
  ['BatchNormalization (eval)', [9, 14, 15], (b) => {
    b.output(b.node('BatchNormalization', [b.input('x', [2, 3, 2, 2]), b.uniform('s', [3], 0.5, 1.5), b.uniform('bb', [3], -1, 1), b.uniform('m', [3], -1, 1), b.uniform('v', [3], 0.5, 2)], { epsilon: 1e-3 }));
  }],
];

describe('opset variants vs onnxruntime-node', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  for (const [name, opsets, build] of cases)
    for (const opset of opsets)
      it(`${name} @ opset ${opset}`, async () => {
        const b = new OnnxBuilder({ opset, seed: 4 });
        build(b, opset);
        const feeds = Object.fromEntries(b.inputs.map((t, i) => [t.name, randomFeed(t.shape as number[], 50 + i, -2, 2)]));
        const engine = new Engine(b.toGraph());
        const ours = runEngine(engine, feeds);
        engine.dispose();
        const ref = await runOrt(b.toBytes(), feeds);
        for (const o of b.outputs) {
          expect(ours[o.name].dims, o.name).toEqual(ref[o.name].dims);
          expect(compare(ours[o.name].data, ref[o.name].data).ok, o.name).toBe(true);
        }
      });
});
