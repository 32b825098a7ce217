/** Small models and data for the training tests: a digits CNN (8×8 inputs) and sklearn digits. */
import { Dataset, readSklearnDigits } from '../../src/data/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

export const DIGITS = '.cache/data/digits/digits.csv.gz';

/** Conv(1→c, 3×3) + BN + ReLU + MaxPool 2 + Flatten + Gemm(→10); symbolic batch. */
export function digitsCnn(o: { seed?: number; channels?: number; bn?: boolean } = {}): { graph: Graph; bytes: Uint8Array } {
  const c = o.channels ?? 4;
  const b = new OnnxBuilder({ opset: 13, seed: o.seed ?? 3, name: 'digits_cnn' });
  const x = b.input('input', ['N', 1, 8, 8]);
  let y = b.node('Conv', [x, b.randomWeight('conv.weight', [c, 1, 3, 3]), b.uniform('conv.bias', [c], -0.1, 0.1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'conv/Conv' });
  if (o.bn ?? true)
    y = b.node('BatchNormalization', [y, b.uniform('bn.scale', [c], 0.8, 1.2), b.uniform('bn.bias', [c], -0.1, 0.1), b.uniform('bn.mean', [c], -0.1, 0.1), b.uniform('bn.var', [c], 0.8, 1.2)], { epsilon: 1e-5, momentum: 0.9 }, { name: 'bn/BatchNormalization' });
  y = b.node('Relu', [y], {}, { name: 'relu/Relu' });
  y = b.node('MaxPool', [y], { kernel_shape: [2, 2], strides: [2, 2] }, { name: 'pool/MaxPool' });
  y = b.node('Flatten', [y], { axis: 1 }, { name: 'flatten/Flatten' });
  const logits = b.node('Gemm', [y, b.randomWeight('fc.weight', [10, c * 16]), b.uniform('fc.bias', [10], -0.1, 0.1)], { transB: 1 }, { name: 'fc/Gemm', outputs: ['logits'] });
  b.output(logits, ['N', 10]);
  return { graph: b.toGraph(), bytes: b.toBytes() };
}

/** sklearn digits as [N,1,8,8] in [0,1] with int labels; `limit` first samples. */
export async function digits(limit?: number): Promise<Dataset> {
  const { images, labels } = await readSklearnDigits(DIGITS);
  const n = limit ?? images.shape[0];
  const x = new Float32Array(n * 64);
  for (let i = 0; i < n * 64; i++) x[i] = (images.data as Float32Array)[i] / 16;
  return new Dataset({ dtype: 'float32', shape: [n, 1, 8, 8], data: x }, { dtype: 'int32', shape: [n], data: (labels.data as Int32Array).slice(0, n) });
}
