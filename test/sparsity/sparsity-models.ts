/** Small models of the sparsity suites. */
import { OnnxBuilder } from '../helpers/onnx-builder.js';

/**
 * input [N, 2, 4, 4] → conv1 (1×1, bias) → bn1 → relu ─┬→ conv2 (1×1, bias) → Add(relu) ─┐
 *                                                       └→ conv3 (1×1, no bias) → bn2 ────┴→ Concat → GAP → Flatten → fc (4→3, bias)
 * conv1 w [1, −2, 2, 4] (‖w‖ 5), conv2 w [2, −1, −2, 4] (‖w‖ 5), conv3 w [.5, −.5, .5, −.5] (‖w‖ 1),
 * fc w 1..12 (‖w‖ √650). bn1/bn2 gamma 1, beta 0 (fresh BNs: bn2 reads bn1's through Identity).
 */
export function pytorchStyleCnn() {
  const b = new OnnxBuilder({ opset: 14, name: 'torch_jit' });
  const x = b.input('input', ['N', 2, 4, 4]);
  const f = (name: string, dims: number[], v: number[]) => b.initializer(name, 'float32', dims, v);
  const gamma = f('bn1.weight', [2], [1, 1]);
  const beta = f('bn1.bias', [2], [0, 0]);
  const bn = (inp: string, name: string, g: string, be: string) =>
    b.node('BatchNormalization', [inp, g, be, f(`${name}.running_mean`, [2], [0.1, -0.2]), f(`${name}.running_var`, [2], [1.5, 0.5])], { epsilon: 1e-5, momentum: 0.9 }, { name: `/${name}/BatchNormalization` });
  let y = b.node('Conv', [x, f('conv1.weight', [2, 2, 1, 1], [1, -2, 2, 4]), f('conv1.bias', [2], [0.1, -0.1])], { kernel_shape: [1, 1] }, { name: '/conv1/Conv' });
  const r = b.node('Relu', [bn(y, 'bn1', gamma, beta)], {}, { name: '/relu/Relu' });
  y = b.node('Conv', [r, f('conv2.weight', [2, 2, 1, 1], [2, -1, -2, 4]), f('conv2.bias', [2], [0.2, 0.3])], { kernel_shape: [1, 1] }, { name: '/conv2/Conv' });
  const add = b.node('Add', [y, r], {}, { name: '/Add' });
  const c3 = b.node('Conv', [r, f('conv3.weight', [2, 2, 1, 1], [0.5, -0.5, 0.5, -0.5])], { kernel_shape: [1, 1] }, { name: '/conv3/Conv' });
  const g2 = b.node('Identity', [gamma], {}, { name: 'Identity_1', outputs: ['onnx::BatchNormalization_31'] });
  const b2 = b.node('Identity', [beta], {}, { name: 'Identity_0', outputs: ['onnx::BatchNormalization_32'] });
  const cat = b.node('Concat', [add, bn(c3, 'bn2', g2, b2)], { axis: 1 }, { name: '/Concat' });
  y = b.node('Flatten', [b.node('GlobalAveragePool', [cat], {}, { name: '/avgpool/GlobalAveragePool' })], { axis: 1 }, { name: '/Flatten' });
  y = b.node('Gemm', [y, f('fc.weight', [3, 4], Array.from({ length: 12 }, (_, i) => i + 1)), f('fc.bias', [3], [0.5, 0, -0.5])], { alpha: 1, beta: 1, transB: 1 }, { name: '/fc/Gemm', outputs: ['logits'] });
  b.output(y, ['N', 3]);
  return b;
}

