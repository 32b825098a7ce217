import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, initBackend } from '../../src/engine/index.js';
import { OnnxBuilder, type AttrInput } from '../helpers/onnx-builder.js';
import { compare, randomFeed, runEngine, runOrt } from './ort-helpers.js';

/**
 * Engine vs onnxruntime-node on seeded random inputs, 1e-5 abs + 1e-4 rel, with the shapes that
 * break naive implementations: stride 2 on odd sizes, groups, dilation, asymmetric pads, ceil_mode,
 * and chains that mix channels-last convs with layout-sensitive ops.
 */
interface Case {
  name: string;
  build: (b: OnnxBuilder) => void;
  opset?: number;
}

const conv = (x: number[], w: number[], attrs: Record<string, AttrInput>, bias = true): Case['build'] => (b) => {
  const inp = b.input('x', x);
  const ins = [inp, b.randomWeight('w', w)];
  if (bias) ins.push(b.uniform('b', [w[0]], -0.5, 0.5));
  b.output(b.node('Conv', ins, attrs));
};

const unary = (op: string, attrs: Record<string, AttrInput> = {}, shape = [2, 3, 5, 7]): Case => ({
  name: `${op} ${JSON.stringify(attrs)}`,
  build: (b) => b.output(b.node(op, [b.input('x', shape)], attrs)),
});

/** Conv then a layout-sensitive tail: exercises the channels-last → ONNX boundary. */
const afterConv = (name: string, tail: (b: OnnxBuilder, y: string) => string, x = [2, 3, 7, 9]): Case => ({
  name,
  build: (b) => {
    const y = b.node('Conv', [b.input('x', x), b.randomWeight('w', [4, x[1], 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    b.output(tail(b, b.node('Relu', [y])));
  },
});

const cases: Case[] = [
  { name: 'Conv 3x3 stride 2 odd size', build: conv([2, 3, 9, 7], [5, 3, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'Conv asymmetric pads', build: conv([1, 2, 6, 5], [3, 2, 3, 2], { pads: [0, 1, 2, 0] }) },
  { name: 'Conv dilation 2', build: conv([1, 2, 9, 9], [3, 2, 3, 3], { dilations: [2, 2], pads: [2, 2, 2, 2] }) },
  { name: 'Conv dilation 2 + stride 2', build: conv([1, 2, 11, 10], [3, 2, 3, 3], { dilations: [2, 2], strides: [2, 2], pads: [1, 0, 2, 1] }) },
  { name: 'Conv groups 2', build: conv([2, 4, 7, 7], [6, 2, 3, 3], { group: 2, pads: [1, 1, 1, 1] }) },
  { name: 'Conv depthwise stride 2', build: conv([2, 6, 9, 9], [6, 1, 3, 3], { group: 6, strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'Conv depthwise multiplier 2', build: conv([1, 3, 8, 8], [6, 1, 3, 3], { group: 3, pads: [1, 1, 1, 1] }) },
  { name: 'Conv auto_pad SAME_UPPER stride 2', build: conv([1, 2, 8, 7], [3, 2, 3, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2] }, false) },
  { name: 'Conv auto_pad SAME_LOWER', build: conv([1, 2, 6, 6], [3, 2, 2, 2], { auto_pad: 'SAME_LOWER' }, false) },
  { name: 'Conv 1-D stride 2 pads', build: conv([2, 3, 11], [4, 3, 3], { strides: [2], pads: [1, 2] }) },
  { name: 'Conv 1-D groups dilation', build: conv([1, 4, 12], [4, 2, 3], { group: 2, dilations: [2] }) },
  {
    name: 'ConvTranspose stride 2 output_padding groups',
    build: (b) => b.output(b.node('ConvTranspose', [b.input('x', [1, 4, 5, 4]), b.randomWeight('w', [4, 3, 3, 3]), b.uniform('b', [6], -1, 1)], { strides: [2, 2], output_padding: [1, 0], group: 2, pads: [1, 0, 0, 1] })),
  },
  { name: 'ConvTranspose dilation', build: (b) => b.output(b.node('ConvTranspose', [b.input('x', [1, 2, 4, 4]), b.randomWeight('w', [2, 3, 3, 3])], { dilations: [2, 2], strides: [2, 2] })) },
  { name: 'ConvTranspose 1-D', build: (b) => b.output(b.node('ConvTranspose', [b.input('x', [2, 3, 7]), b.randomWeight('w', [3, 2, 4])], { strides: [3], pads: [1, 1] })) },
  { name: 'Conv 3-D stride 2 pads groups', build: conv([1, 4, 5, 6, 7], [4, 2, 3, 3, 3], { strides: [2, 1, 2], pads: [1, 0, 1, 0, 1, 1], group: 2 }) },
  { name: 'Conv 3-D dilation', build: conv([1, 2, 7, 7, 7], [3, 2, 3, 2, 3], { dilations: [2, 1, 2] }) },
  {
    name: 'ConvTranspose 3-D stride 2 pads output_padding dilation',
    build: (b) => b.output(b.node('ConvTranspose', [b.input('x', [1, 2, 3, 4, 3]), b.randomWeight('w', [2, 3, 3, 2, 3]), b.uniform('b', [3], -1, 1)], { strides: [2, 1, 2], pads: [1, 0, 0, 0, 1, 1], output_padding: [1, 0, 0], dilations: [1, 2, 1] })),
  },
  { name: 'MaxPool 3-D pads', build: (b) => b.output(b.node('MaxPool', [b.input('x', [1, 2, 5, 6, 5])], { kernel_shape: [3, 2, 3], strides: [2, 2, 1], pads: [1, 0, 1, 1, 1, 0] })) },
  { name: 'AveragePool 3-D ceil', build: (b) => b.output(b.node('AveragePool', [b.input('x', [1, 2, 5, 6, 5])], { kernel_shape: [2, 2, 2], strides: [2, 2, 2], ceil_mode: 1 })) },
  {
    name: 'LSTM bidirectional, peepholes, initial state (layout 1: ORT lacks it; see conformance)',
    opset: 14,
    build: (b) => {
      const outs = b.nodeOutputs('LSTM', [b.input('x', [5, 2, 3]), b.randomWeight('W', [2, 16, 3]), b.randomWeight('R', [2, 16, 4]), b.randomWeight('B', [2, 32]), '', b.uniform('h0', [2, 2, 4], -1, 1), b.uniform('c0', [2, 2, 4], -1, 1), b.randomWeight('P', [2, 12])], { hidden_size: 4, direction: 'bidirectional' }, { outputs: 3 });
      outs.forEach((o) => b.output(o));
    },
  },
  {
    name: 'GRU reverse, linear_before_reset, clip',
    build: (b) => {
      const outs = b.nodeOutputs('GRU', [b.input('x', [6, 2, 3]), b.randomWeight('W', [1, 15, 3]), b.randomWeight('R', [1, 15, 5]), b.randomWeight('B', [1, 30])], { hidden_size: 5, direction: 'reverse', linear_before_reset: 1, clip: 2.5 }, { outputs: 2 });
      outs.forEach((o) => b.output(o));
    },
  },
  { name: 'RNN default Tanh', build: (b) => b.output(b.node('RNN', [b.input('x', [4, 2, 3]), b.randomWeight('W', [1, 5, 3]), b.randomWeight('R', [1, 5, 5])], { hidden_size: 5 })) },
  {
    name: 'QLinearConv per-channel int8 weights, strided, bias → DequantizeLinear',
    build: (b) => {
      const xq = b.node('QuantizeLinear', [b.input('x', [1, 3, 7, 8]), b.scalar('xs', 0.02), b.initializer('xz', 'uint8', [], [120])]);
      const w = b.initializer('w', 'int8', [4, 3, 3, 3], Array.from({ length: 108 }, (_, i) => ((i * 37) % 255) - 127));
      const ws = b.uniform('ws', [4], 0.001, 0.004);
      const wz = b.initializer('wz', 'int8', [4], [0, 0, 0, 0]);
      const bias = b.initializer('bias', 'int32', [4], [100, -200, 0, 3000]);
      const y = b.node('QLinearConv', [xq, 'xs', 'xz', w, ws, wz, b.scalar('ys', 0.05), b.initializer('yz', 'uint8', [], [128]), bias], { pads: [1, 1, 1, 1], strides: [2, 2] });
      b.output(b.node('DequantizeLinear', [y, 'ys', 'yz']));
    },
  },
  {
    name: 'QLinearMatMul and MatMulInteger',
    build: (b) => {
      const aq = b.node('QuantizeLinear', [b.input('a', [2, 3, 5]), b.scalar('as', 0.02), b.initializer('az', 'uint8', [], [128])]);
      const bw = b.initializer('bw', 'uint8', [5, 4], Array.from({ length: 20 }, (_, i) => (i * 53) % 256));
      const y = b.node('QLinearMatMul', [aq, 'as', 'az', bw, b.scalar('bs', 0.01), b.initializer('bz', 'uint8', [], [100]), b.scalar('ys', 0.1), b.initializer('yz', 'uint8', [], [10])]);
      b.output(b.node('DequantizeLinear', [y, 'ys', 'yz']));
      b.output(b.node('Cast', [b.node('MatMulInteger', [aq, bw, 'az', 'bz'])], { to: 1 }));
    },
  },
  { name: 'Einsum attention scores', build: (b) => b.output(b.node('Einsum', [b.input('q', [2, 3, 4, 5]), b.input('k', [2, 3, 6, 5])], { equation: 'bhqd,bhkd->bhqk' })) },
  { name: 'Einsum ellipsis matmul', build: (b) => b.output(b.node('Einsum', [b.input('a', [2, 3, 4]), b.input('c', [4, 5])], { equation: '...ij,jk->...ik' })) },
  { name: 'Einsum trace + implicit output', build: (b) => b.output(b.node('Einsum', [b.input('a', [3, 3, 2])], { equation: 'iij' })) },
  {
    name: 'ScatterElements add with duplicates / ScatterND / Compress',
    opset: 18,
    build: (b) => {
      const d = b.input('d', [3, 4]);
      b.output(b.node('ScatterElements', [d, b.initializer('i', 'int64', [2, 2], [0, 0, 2, -1]), b.input('u', [2, 2])], { axis: 1, reduction: 'add' }));
      b.output(b.node('ScatterND', [d, b.initializer('n', 'int64', [2, 1], [2, 0]), b.input('u2', [2, 4])]));
      b.output(b.node('Compress', [d, b.initializer('c', 'bool', [3], [1, 0, 1])], { axis: 0 }));
    },
  },
  ...(['bilinear', 'nearest', 'bicubic'] as const).flatMap((mode) =>
    (['zeros', 'border', 'reflection'] as const).map((padding): Case => ({
      name: `GridSample ${mode} ${padding} after a conv`,
      opset: 16,
      build: (b) => {
        const y = b.node('Conv', [b.input('x', [2, 2, 5, 6]), b.randomWeight('w', [3, 2, 3, 3])], { pads: [1, 1, 1, 1] });
        b.output(b.node('GridSample', [y, b.uniform('g', [2, 4, 3, 2], -1.3, 1.3)], { mode, padding_mode: padding, align_corners: padding === 'border' ? 1 : 0 }));
      },
    })),
  ),
  { name: 'MaxPool 3x3 s2 ceil odd', build: (b) => b.output(b.node('MaxPool', [b.input('x', [2, 3, 10, 9])], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })) },
  { name: 'MaxPool pads dilation', build: (b) => b.output(b.node('MaxPool', [b.input('x', [1, 2, 9, 9])], { kernel_shape: [2, 3], pads: [1, 0, 0, 1], dilations: [2, 2] })) },
  { name: 'AveragePool pads exclude', build: (b) => b.output(b.node('AveragePool', [b.input('x', [2, 3, 7, 8])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })) },
  { name: 'AveragePool pads include', build: (b) => b.output(b.node('AveragePool', [b.input('x', [2, 3, 7, 8])], { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1], count_include_pad: 1 })) },
  { name: 'AveragePool 1-D', build: (b) => b.output(b.node('AveragePool', [b.input('x', [2, 3, 9])], { kernel_shape: [3], strides: [2] })) },
  { name: 'GlobalAveragePool', build: (b) => b.output(b.node('GlobalAveragePool', [b.input('x', [2, 5, 3, 7])])) },
  { name: 'GlobalMaxPool', build: (b) => b.output(b.node('GlobalMaxPool', [b.input('x', [2, 5, 3, 7])])) },
  {
    name: 'Gemm transA alpha beta',
    build: (b) => b.output(b.node('Gemm', [b.input('a', [5, 3]), b.randomWeight('w', [5, 4]), b.uniform('c', [3, 4], -1, 1)], { transA: 1, alpha: 0.5, beta: 2 })),
  },
  { name: 'MatMul batched broadcast', build: (b) => b.output(b.node('MatMul', [b.input('a', [2, 1, 3, 4]), b.input('c', [3, 4, 5])])) },
  { name: 'MatMul 1-D x 3-D', build: (b) => b.output(b.node('MatMul', [b.input('a', [4]), b.input('c', [2, 4, 3])])) },
  {
    name: 'LayerNormalization axis -2',
    build: (b) => b.output(b.node('LayerNormalization', [b.input('x', [2, 3, 4, 5]), b.uniform('s', [4, 5], 0.5, 1.5), b.uniform('b', [4, 5], -1, 1)], { axis: -2, epsilon: 1e-3 })),
  },
  {
    name: 'BatchNormalization eval',
    build: (b) => b.output(b.node('BatchNormalization', [b.input('x', [2, 3, 4, 5]), b.uniform('s', [3], 0.5, 1.5), b.uniform('b', [3], -1, 1), b.uniform('m', [3], -1, 1), b.uniform('v', [3], 0.5, 2)])),
  },
  { name: 'PRelu per channel', build: (b) => b.output(b.node('PRelu', [b.input('x', [2, 3, 4, 4]), b.uniform('s', [3, 1, 1], 0, 0.5)])) },
  unary('LeakyRelu', { alpha: 0.2 }),
  unary('HardSigmoid', { alpha: 0.3, beta: 0.4 }),
  unary('HardSwish'),
  { ...unary('Gelu', {}, [2, 9]), opset: 20 },
  { ...unary('Gelu', { approximate: 'tanh' }, [2, 9]), opset: 20 },
  unary('Erf', {}, [3, 7]),
  unary('Softmax', { axis: 1 }),
  unary('LogSoftmax', { axis: -1 }),
  { name: 'Softmax opset 11 coerced 2-D', build: (b) => b.output(b.node('Softmax', [b.input('x', [2, 3, 4])], { axis: 1 })), opset: 11 },
  {
    name: 'Resize linear half_pixel sizes',
    build: (b) => b.output(b.node('Resize', [b.input('x', [1, 2, 5, 7]), '', '', b.ints('sizes', [1, 2, 8, 11])], { mode: 'linear' })),
  },
  {
    name: 'Resize nearest asymmetric scales x2',
    build: (b) => b.output(b.node('Resize', [b.input('x', [1, 3, 4, 5]), '', b.initializer('sc', 'float32', [4], [1, 1, 2, 2])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' })),
  },
  {
    name: 'Resize linear align_corners downsample',
    build: (b) => b.output(b.node('Resize', [b.input('x', [1, 2, 7, 9]), '', '', b.ints('sizes', [1, 2, 4, 5])], { mode: 'linear', coordinate_transformation_mode: 'align_corners' })),
  },
  afterConv('Conv → Flatten → Gemm', (b, y) => b.node('Gemm', [b.node('Flatten', [y]), b.randomWeight('fc', [5, 4 * 7 * 9])], { transB: 1 })),
  afterConv('Conv → Reshape', (b, y) => b.node('Reshape', [y, b.ints('shape', [2, 4, -1])])),
  afterConv('Conv → Transpose NHWC → MatMul', (b, y) => b.node('MatMul', [b.node('Transpose', [y], { perm: [0, 2, 3, 1] }), b.randomWeight('m', [4, 6])])),
  afterConv('Conv → Transpose → Transpose back → Add', (b, y) => b.node('Add', [b.node('Transpose', [b.node('Transpose', [y], { perm: [0, 3, 1, 2] })], { perm: [0, 2, 3, 1] }), y])),
  afterConv('Conv → Concat(channels) → Slice channels', (b, y) => b.node('Slice', [b.node('Concat', [y, b.node('Sigmoid', [y])], { axis: 1 }), b.ints('st', [2]), b.ints('en', [7]), b.ints('ax', [1])])),
  afterConv('Conv → Split channels → Mul', (b, y) => {
    const [p, q] = b.nodeOutputs('Split', [y, b.ints('split', [1, 3])], { axis: 1 }, { outputs: 2 });
    return b.node('Mul', [b.node('ReduceSum', [q, b.ints('axes', [1])], { keepdims: 1 }), p]);
  }),
  afterConv('Conv → ReduceMean(H,W) keepdims 0', (b, y) => b.node('ReduceMean', [y], { axes: [2, 3], keepdims: 0 }), [2, 3, 5, 6]),
  afterConv('Conv → ReduceMax(C) keepdims 0', (b, y) => b.node('ReduceMax', [y], { axes: [1], keepdims: 0 })),
  afterConv('Conv → Pad reflect → MaxPool', (b, y) => b.node('MaxPool', [b.node('Pad', [y, b.ints('pads', [0, 0, 1, 2, 0, 0, 2, 1])], { mode: 'reflect' })], { kernel_shape: [2, 2], strides: [2, 2] })),
  afterConv('Conv → Pad edge (channels and H)', (b, y) => b.node('Pad', [y, b.ints('pads', [0, 1, 2, 0, 0, 2, 0, 1])], { mode: 'edge' })),
  afterConv('Conv + bias [C,1,1] → Clip(0,6)', (b, y) => b.node('Clip', [b.node('Add', [y, b.uniform('cb', [4, 1, 1], -1, 1)]), b.scalar('lo', 0), b.scalar('hi', 0.5)])),
  afterConv('Conv → Resize x2 nearest → Conv', (b, y) => {
    const up = b.node('Resize', [y, '', b.initializer('sc', 'float32', [4], [1, 1, 2, 2])], { mode: 'nearest' });
    return b.node('Conv', [up, b.randomWeight('w2', [3, 4, 3, 3])], { kernel_shape: [3, 3], strides: [2, 2] });
  }),
  afterConv('shape subgraph: Shape → Gather → Concat → Reshape', (b, y) => {
    const n = b.node('Gather', [b.node('Shape', [y]), b.initializer('i0', 'int64', [1], [0])], { axis: 0 });
    return b.node('Reshape', [y, b.node('Concat', [n, b.ints('m1', [-1])], { axis: 0 })]);
  }),
  afterConv('Conv → Squeeze/Unsqueeze/Expand/Tile', (b, y) => {
    const g = b.node('GlobalAveragePool', [y]);
    const s = b.node('Squeeze', [g, b.ints('ax', [2, 3])]);
    const u = b.node('Unsqueeze', [s, b.ints('ax2', [2])]);
    return b.node('Tile', [b.node('Expand', [u, b.ints('shp', [2, 4, 3])]), b.ints('rep', [1, 1, 2])]);
  }),
  afterConv('Conv → ArgMax channels / Where / Equal', (b, y) => {
    const am = b.node('ArgMax', [y], { axis: 1, keepdims: 1 });
    const cond = b.node('Equal', [am, b.initializer('two', 'int64', [], [2])]);
    return b.node('Where', [cond, y, b.node('Neg', [y])]);
  }),
  afterConv('Conv → Slice step 2 with INT64_MAX end / negative step', (b, y) => {
    const s = b.node('Slice', [y, b.ints('st', [1, -1]), b.initializer('en', 'int64', [2], [9223372036854775807n as unknown as number, -100]), b.ints('ax', [2, 3]), b.ints('sp', [2, -2])]);
    return s;
  }),
  {
    name: 'QDQ: uint8 activation, int8 per-channel weight → Conv',
    build: (b) => {
      const x = b.node('DequantizeLinear', [b.node('QuantizeLinear', [b.input('x', [1, 3, 7, 7]), b.scalar('xs', 0.02), b.initializer('xz', 'uint8', [], [128])]), 'xs', 'xz']);
      const ws = b.uniform('ws', [4], 0.002, 0.01);
      const wz = b.initializer('wz', 'int8', [4], [0, 0, 0, 0]);
      const w = b.node('DequantizeLinear', [b.node('QuantizeLinear', [b.randomWeight('w', [4, 3, 3, 3]), ws, wz], { axis: 0 }), ws, wz], { axis: 0 });
      b.output(b.node('Conv', [x, w], { pads: [1, 1, 1, 1] }));
    },
  },
  {
    name: 'QDQ blocked int8 (opset 21)',
    opset: 21,
    build: (b) => {
      const s = b.uniform('s', [2, 3], 0.01, 0.02);
      const z = b.initializer('z', 'int8', [2, 3], [0, 1, -1, 2, 0, 0]);
      b.output(b.node('DequantizeLinear', [b.node('QuantizeLinear', [b.input('x', [2, 6]), s, z], { axis: 1, block_size: 2 }), s, z], { axis: 1, block_size: 2 }));
    },
  },
];

describe('ops: engine vs onnxruntime-node on random inputs', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  for (const c of cases)
    it(c.name, async () => {
      const b = new OnnxBuilder({ opset: c.opset ?? 17, seed: 5 });
      c.build(b);
      const graph = b.toGraph();
      const feeds = Object.fromEntries(b.inputs.map((t, i) => [t.name, randomFeed(t.shape as number[], 100 + i, -2, 2)]));
      const engine = new Engine(graph);
      const ours = runEngine(engine, feeds);
      engine.dispose();
      const ref = await runOrt(b.toBytes(), feeds);
      for (const o of b.outputs) {
        expect(ours[o.name].dims).toEqual(ref[o.name].dims);
        const { ok, maxAbs } = compare(ours[o.name].data, ref[o.name].data);
        expect(ok, `max abs diff ${maxAbs}`).toBe(true);
      }
    });
});

describe('layout-aware Softmax on a channels-last conv output', () => {
  it('Conv → Softmax(axis=1) → LogSoftmax(axis=-1)', async () => {
    await initBackend('wasm');
    const b = new OnnxBuilder({ opset: 17, seed: 2 });
    const y = b.node('Conv', [b.input('x', [2, 3, 5, 6]), b.randomWeight('w', [4, 3, 3, 3])], { pads: [1, 1, 1, 1] });
    b.output(b.node('LogSoftmax', [b.node('Softmax', [y], { axis: 1 })], { axis: -1 }));
    const feeds = { x: randomFeed([2, 3, 5, 6], 1, -2, 2) };
    const engine = new Engine(b.toGraph());
    const ours = runEngine(engine, feeds);
    engine.dispose();
    const ref = await runOrt(b.toBytes(), feeds);
    const o = b.outputs[0].name;
    expect(compare(ours[o].data, ref[o].data).ok).toBe(true);
  });
});
