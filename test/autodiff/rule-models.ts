/**
 * Small models, one per gradient rule (or a pair of rules), each ending in Flatten → Gemm logits so the
 * loss is softmax cross-entropy. Odd spatial sizes on purpose: strided convs need output padding.
 */
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import type { Graph } from '../../src/graph/graph.js';

export interface RuleModel {
  name: string;
  graph: Graph;
  /** Extra float initializers to train (ports the rules do not mark as parameters, e.g. an Add operand). */
  extraTrainable?: string[];
  /** Float initializers that are constants, not parameters (Clip bounds). */
  constants?: string[];
}

const B = 3;
const CLASSES = 5;

function build(
  name: string,
  c: number,
  hw: number,
  body: (b: OnnxBuilder, x: string) => { y: string; features: number },
  extraTrainable?: string[],
  constants?: string[],
  opset = 13,
): RuleModel {
  const b = new OnnxBuilder({ opset, seed: name.length * 7 + 1, name });
  const x = b.input('x', [B, c, hw, hw]);
  const { y, features } = body(b, x);
  const flat = b.node('Flatten', [y], { axis: 1 }, { name: 'head/Flatten' });
  const logits = b.node(
    'Gemm',
    [flat, b.randomWeight('fc.weight', [CLASSES, features]), b.uniform('fc.bias', [CLASSES], -0.1, 0.1)],
    { transB: 1 },
    { name: 'fc/Gemm', outputs: ['logits'] },
  );
  b.output(logits, [B, CLASSES]);
  return { name, graph: b.toGraph(), extraTrainable, constants };
}

const conv = (
  b: OnnxBuilder,
  x: string,
  name: string,
  cin: number,
  cout: number,
  k: number,
  a: { stride?: number; pad?: number; group?: number; dilation?: number; bias?: boolean } = {},
) => {
  const ins = [x, b.randomWeight(`${name}.weight`, [cout, cin / (a.group ?? 1), k, k])];
  if (a.bias) ins.push(b.uniform(`${name}.bias`, [cout], -0.2, 0.2));
  const p = a.pad ?? 0,
    s = a.stride ?? 1,
    d = a.dilation ?? 1;
  return b.node(
    'Conv',
    ins,
    { kernel_shape: [k, k], strides: [s, s], pads: [p, p, p, p], dilations: [d, d], group: a.group ?? 1 },
    { name: `${name}/Conv` },
  );
};

export function ruleModels(): RuleModel[] {
  return [
    build('conv3x3-bias-relu', 2, 6, (b, x) => ({
      y: b.node('Relu', [conv(b, x, 'c', 2, 4, 3, { pad: 1, bias: true })]),
      features: 4 * 36,
    })),
    build('conv-stride2-odd', 3, 7, (b, x) => ({
      y: conv(b, x, 'c', 3, 4, 3, { stride: 2, pad: 1, bias: true }),
      features: 4 * 16,
    })),
    build('conv-dilated', 2, 7, (b, x) => ({
      y: conv(b, x, 'c', 2, 3, 3, { pad: 2, dilation: 2 }),
      features: 3 * 49,
    })),
    build('conv1x1-stride2', 4, 6, (b, x) => ({
      y: conv(b, x, 'c', 4, 3, 1, { stride: 2 }),
      features: 3 * 9,
    })),
    build('depthwise', 4, 6, (b, x) => ({
      y: conv(b, conv(b, x, 'dw', 4, 4, 3, { pad: 1, group: 4 }), 'dw2', 4, 4, 3, {
        stride: 2,
        pad: 1,
        group: 4,
        bias: true,
      }),
      features: 4 * 9,
    })),
    build('conv-bn-relu', 2, 5, (b, x) => {
      const y = b.node(
        'BatchNormalization',
        [
          conv(b, x, 'c', 2, 4, 3, { pad: 1 }),
          b.uniform('bn.scale', [4], 0.5, 1.5),
          b.uniform('bn.bias', [4], -0.2, 0.2),
          b.uniform('bn.mean', [4], -0.1, 0.1),
          b.uniform('bn.var', [4], 0.5, 1.5),
        ],
        { epsilon: 1e-5, momentum: 0.9 },
        { name: 'bn' },
      );
      return { y: b.node('Relu', [y]), features: 4 * 25 };
    }),
    build('maxpool-2x2', 2, 6, (b, x) => ({
      y: b.node('MaxPool', [conv(b, x, 'c', 2, 3, 3, { pad: 1 })], { kernel_shape: [2, 2], strides: [2, 2] }),
      features: 3 * 9,
    })),
    // 7×7 → 3×3: the last row and column are cropped (upsample path); ReLU zeros make tied maxima.
    build('maxpool-2x2-odd-after-relu', 2, 7, (b, x) => ({
      y: b.node('MaxPool', [b.node('Relu', [conv(b, x, 'c', 2, 3, 3, { pad: 1, bias: true })])], {
        kernel_shape: [2, 2],
        strides: [2, 2],
      }),
      features: 3 * 9,
    })),
    build('maxpool-3x3-overlap-pad', 2, 7, (b, x) => ({
      y: b.node('MaxPool', [conv(b, x, 'c', 2, 3, 3, { pad: 1 })], {
        kernel_shape: [3, 3],
        strides: [2, 2],
        pads: [1, 1, 1, 1],
      }),
      features: 3 * 16,
    })),
    // Tight bounds so both sides of the clip are active.
    build(
      'clip',
      2,
      5,
      (b, x) => ({
        y: b.node('Clip', [
          conv(b, x, 'c', 2, 3, 3, { pad: 1, bias: true }),
          b.scalar('lo', -0.3),
          b.scalar('hi', 0.4),
        ]),
        features: 3 * 25,
      }),
      [],
      ['lo', 'hi'],
    ),
    build('avgpool-2x2-odd', 2, 7, (b, x) => ({
      y: b.node('AveragePool', [conv(b, x, 'c', 2, 3, 3, { pad: 1 })], {
        kernel_shape: [2, 2],
        strides: [2, 2],
      }),
      features: 3 * 9,
    })),
    build('avgpool-3x3-pad-excluded', 2, 7, (b, x) => ({
      y: b.node('AveragePool', [conv(b, x, 'c', 2, 3, 3, { pad: 1 })], {
        kernel_shape: [3, 3],
        strides: [2, 2],
        pads: [1, 1, 1, 1],
      }),
      features: 3 * 16,
    })),
    build('avgpool-3x3-pad-included', 2, 6, (b, x) => ({
      y: b.node('AveragePool', [conv(b, x, 'c', 2, 3, 3, { pad: 1 })], {
        kernel_shape: [3, 3],
        strides: [2, 2],
        pads: [1, 1, 0, 0],
        count_include_pad: 1,
      }),
      features: 3 * 9,
    })),
    build('gap', 3, 5, (b, x) => ({
      y: b.node('GlobalAveragePool', [b.node('Relu', [conv(b, x, 'c', 3, 6, 3, { pad: 1, bias: true })])]),
      features: 6,
    })),
    build(
      'add-sub-mul-broadcast',
      2,
      4,
      (b, x) => {
        const a = conv(b, x, 'a', 2, 3, 3, { pad: 1 });
        const c = conv(b, x, 'c', 2, 3, 1);
        const shifted = b.node('Sub', [
          b.node('Add', [a, b.uniform('shift', [3, 1, 1], -0.5, 0.5)]),
          b.uniform('offset', [1, 3, 1, 4], -0.5, 0.5),
        ]);
        return { y: b.node('Mul', [shifted, c]), features: 3 * 16 };
      },
      ['shift', 'offset'],
    ),
    build('concat-reshape', 2, 4, (b, x) => {
      const cat = b.node('Concat', [conv(b, x, 'a', 2, 3, 3, { pad: 1 }), conv(b, x, 'c', 2, 2, 1)], {
        axis: 1,
      });
      return { y: b.node('Reshape', [cat, b.ints('shape', [0, -1])]), features: 5 * 16 };
    }),
    build('gemm-transposes', 2, 3, (b, x) => {
      // Gemm with transB=0, alpha/beta ≠ 1 and a [1, K] bias, before the head.
      const flat = b.node('Flatten', [conv(b, x, 'c', 2, 2, 1)], { axis: 1 });
      const h = b.node(
        'Gemm',
        [flat, b.randomWeight('h.weight', [18, 6]), b.uniform('h.bias', [1, 6], -0.1, 0.1)],
        { alpha: 0.7, beta: 1.3, transB: 0 },
      );
      return { y: h, features: 6 };
    }),
    // One weight read by two convs: its gradient is the sum of both contributions.
    build('shared-weight', 3, 5, (b, x) => {
      const w = b.randomWeight('shared.weight', [3, 3, 3, 3]);
      const attrs = { kernel_shape: [3, 3], pads: [1, 1, 1, 1] };
      return {
        y: b.node('Conv', [b.node('Relu', [b.node('Conv', [x, w], attrs)]), w], attrs),
        features: 3 * 25,
      };
    }),
    build(
      'activations',
      2,
      3,
      (b, x) => {
        const c = conv(b, x, 'c', 2, 4, 1, { bias: true });
        const add = (p: string, q: string) => b.node('Add', [p, q]);
        const hardSigmoid = b.node('HardSigmoid', [c], { alpha: 1.0, beta: 0.5 }); // linear on (−0.5, 0.5): both kinks in range
        const hardSwish = b.node('HardSwish', [b.node('Mul', [c, b.scalar('four', 4)])]);
        const y = add(
          add(b.node('Sigmoid', [c]), b.node('Tanh', [c])),
          add(b.node('LeakyRelu', [c], { alpha: 0.1 }), add(hardSigmoid, hardSwish)),
        );
        return { y, features: 4 * 9 };
      },
      [],
      ['four'],
      14,
    ),
    build('gather-embedding', 1, 2, (b, x) => {
      // Row 2 is looked up twice: its gradient accumulates.
      const emb = b.node('Gather', [b.randomWeight('table', [6, 4], 0.5), b.ints('ids', [2, 5, 2])], {
        axis: 0,
      });
      return {
        y: b.node('Mul', [b.node('Flatten', [conv(b, x, 'c', 1, 1, 1)], { axis: 1 }), emb]),
        features: 4,
      };
    }),
    build('matmul-transpose-softmax', 2, 4, (b, x) => {
      // MatMul with a broadcast [4, 4] weight, attention-like scores, Softmax over the last axis.
      const s = b.node('MatMul', [x, b.randomWeight('w', [4, 4])]);
      const a = b.node('Softmax', [b.node('MatMul', [s, b.node('Transpose', [x], { perm: [0, 1, 3, 2] })])], {
        axis: -1,
      });
      return { y: b.node('MatMul', [a, x]), features: 2 * 16 };
    }),
    build(
      'layernorm-erf-sqrt-pow-div-reduce',
      2,
      4,
      (b, x) => {
        const h = conv(b, x, 'c', 2, 3, 1, { bias: true });
        const ln = b.node(
          'LayerNormalization',
          [h, b.uniform('ln.weight', [4], 0.5, 1.5), b.uniform('ln.bias', [4], -0.2, 0.2)],
          { axis: -1, epsilon: 1e-5 },
        );
        const e = b.node('Erf', [b.node('Mul', [ln, b.scalar('k', 0.7)])]);
        const y = b.node('Div', [
          b.node('Mul', [e, h]),
          b.node('Sqrt', [b.node('Add', [b.node('Pow', [h, b.scalar('two', 2)]), b.scalar('one', 1)])]),
        ]);
        const r1 = b.node('ReduceMean', [y], { axes: [3], keepdims: 0 });
        const r2 = b.node('ReduceSum', [y, b.ints('axes2', [2])], { keepdims: 1 });
        return {
          y: b.node('Add', [r1, b.node('Reshape', [r2, b.ints('shape3', [0, 0, -1])])]),
          features: 12,
        };
      },
      [],
      ['k', 'two', 'one'],
      17,
    ),
  ];
}
