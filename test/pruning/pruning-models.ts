/** Test models of the pruning suites: NNCF's BigPruningTestModel and a small model with hand-counted FLOPs. */
import { OnnxBuilder, constTensor } from '../helpers/onnx-builder.js';

const eyeFill = (out: number, inn: number, k: number, base: number, perFilter: (o: number, i: number) => number): number[] => {
  const v: number[] = [];
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inn; i++)
      for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) v.push(base + (y === x ? 1 : 0) + perFilter(o, i));
  return v;
};

/**
 * NNCF tests/torch/pruning/helpers.py BigPruningTestModel (dim 2) with its deterministic weights
 * (create_conv fills weight_init + eye(k), then `weight[i] += i`), input 1×1×8×8.
 */
export function bigPruningTestModel() {
  const b = new OnnxBuilder({ opset: 17, seed: 1, name: 'big_pruning' });
  const x = b.input('x', [1, 1, 8, 8]);
  const bn = (inp: string, name: string, c: number) =>
    b.node('BatchNormalization', [inp, b.initializer(`${name}.weight`, 'float32', [c], new Array(c).fill(1)), b.initializer(`${name}.bias`, 'float32', [c], new Array(c).fill(0)),
      b.initializer(`${name}.mean`, 'float32', [c], new Array(c).fill(0)), b.initializer(`${name}.var`, 'float32', [c], new Array(c).fill(1))], { epsilon: 1e-5 }, { name });
  let y = b.node('Conv', [x, b.initializer('conv1.weight', 'float32', [16, 1, 2, 2], eyeFill(16, 1, 2, 0, (o) => o)), b.initializer('conv1.bias', 'float32', [16], new Array(16).fill(1))], { kernel_shape: [2, 2] }, { name: 'conv1' });
  y = b.node('Relu', [bn(y, 'bn1', 16)], {}, { name: 'relu1' });
  y = b.node('Conv', [y, b.initializer('dw.weight', 'float32', [16, 1, 3, 3], eyeFill(16, 1, 3, 0, (o) => o)), b.initializer('dw.bias', 'float32', [16], new Array(16).fill(1))], { kernel_shape: [3, 3], group: 16 }, { name: 'conv_depthwise' });
  y = b.node('Conv', [y, b.initializer('conv2.weight', 'float32', [32, 16, 3, 3], eyeFill(32, 16, 3, 20, (o) => o)), b.initializer('conv2.bias', 'float32', [32], new Array(32).fill(0))], { kernel_shape: [3, 3] }, { name: 'conv2' });
  y = b.node('Relu', [bn(y, 'bn2', 32)], {}, { name: 'relu2' });
  // ConvTranspose weight [in 32, out 64, 3, 3]: 3 + eye, and weight[0][i] += i
  y = b.node('ConvTranspose', [y, b.initializer('up.weight', 'float32', [32, 64, 3, 3], eyeFill(32, 64, 3, 3, (i, o) => (i === 0 ? o : 0))), b.initializer('up.bias', 'float32', [64], new Array(64).fill(1))], { kernel_shape: [3, 3], strides: [2, 2] }, { name: 'up' });
  y = b.node('Relu', [y], {}, { name: 'relu3' });
  b.ints('flat_shape', [1, -1]);
  y = b.node('Reshape', [y, 'flat_shape'], {}, { name: 'view1' });
  const lw: number[] = [];
  for (let o = 0; o < 128; o++) for (let i = 0; i < 3136; i++) lw.push(o);
  y = b.node('Gemm', [y, b.initializer('linear.weight', 'float32', [128, 3136], lw), b.initializer('linear.bias', 'float32', [128], new Array(128).fill(1))], { transB: 1 }, { name: 'linear' });
  y = b.node('LayerNormalization', [y, b.initializer('ln.weight', 'float32', [128], Array.from({ length: 128 }, (_, i) => i)), b.initializer('ln.bias', 'float32', [128], new Array(128).fill(1))], { axis: -1, epsilon: 1e-5 }, { name: 'layernorm' });
  b.ints('shape4', [1, -1, 1, 1]);
  y = b.node('Reshape', [y, 'shape4'], {}, { name: 'view2' });
  y = b.node('Conv', [bn(y, 'bn3', 128), b.initializer('conv3.weight', 'float32', [1, 128, 1, 1], new Array(128).fill(6)), b.initializer('conv3.bias', 'float32', [1], [1])], { kernel_shape: [1, 1] }, { name: 'conv3' });
  b.ints('flat_shape2', [1, -1]);
  b.output(b.node('Reshape', [y, 'flat_shape2'], {}, { name: 'view3', outputs: ['out'] }), [1, 1]);
  void constTensor;
  return b.toGraph();
}

/**
 * Hand-counted FLOPs: a (3→16, 3×3, pad 1) → b (16→16, 3×3, pad 1) → c (16→16, 1×1) → GAP → Flatten →
 * fc (16→10) on 8×8. Groups: b and c (a is the first conv, fc reaches the output).
 */
/** `batch`: 'N' for a model that takes any batch (training). */
export function smallFlopsModel(seed = 3, batch: number | string = 1) {
  const b = new OnnxBuilder({ opset: 13, seed, name: 'small_flops' });
  const x = b.input('x', [batch, 3, 8, 8]);
  let y = b.node('Relu', [b.node('Conv', [x, b.randomWeight('a.weight', [16, 3, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'a' })], {}, { name: 'ra' });
  y = b.node('Relu', [b.node('Conv', [y, b.randomWeight('b.weight', [16, 16, 3, 3]), b.uniform('b.bias', [16], -0.1, 0.1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'b' })], {}, { name: 'rb' });
  y = b.node('Conv', [y, b.randomWeight('c.weight', [16, 16, 1, 1])], { kernel_shape: [1, 1] }, { name: 'c' });
  y = b.node('Flatten', [b.node('GlobalAveragePool', [y], {}, { name: 'gap' })], { axis: 1 }, { name: 'flat' });
  b.output(b.node('Gemm', [y, b.randomWeight('fc.weight', [10, 16]), b.uniform('fc.bias', [10], -0.1, 0.1)], { transB: 1 }, { name: 'fc', outputs: ['logits'] }), [batch, 10]);
  return b;
}
