/** Test models of the NAS suites beyond test/helpers/models.ts. */
import { createProgressiveShrinking } from '../../src/algorithms/nas/index.js';
import { CompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Engine } from '../../src/engine/index.js';
import type { Graph } from '../../src/graph/index.js';
import { resnetStyle } from '../helpers/models.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

/** Progressive shrinking on the 8×8 ResNet-style helper (SGD 0.05, momentum 0.9, batch 2) with `bootstrapNAS.training`. */
export function progressiveShrinkingOnResnet(training: object, opts: { stepsPerEpoch: number; seed?: number }) {
  const { graph } = resnetStyle({ size: 8, width: 8, classes: 3, seed: 4 });
  const model = new CompressedModel(graph, new Engine(graph));
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [1, 3, 8, 8] },
    batch_size: 2,
    seed: 1,
    optimizer: { type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0.9 } },
    bootstrapNAS: { training },
  });
  return { model, config, ...createProgressiveShrinking(model, config, { stepsPerEpoch: opts.stepsPerEpoch, seed: opts.seed ?? 7 }) };
}

/**
 * x → 5×5 conv-BN-ReLU (stem) → [7×7 conv-BN-ReLU → 5×5 depthwise-BN-ReLU → 1×1 conv-BN] + stem → ReLU →
 * GAP → fc; the bracket up to the last ReLU is a skippable block [stem/relu, out/relu].
 */
export function bigKernels(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 9, name: 'big_kernels' });
  b.input('input', [2, 3, 10, 10]);
  const convBn = (x: string, name: string, cin: number, cout: number, k: number, group = 1, relu = true) => {
    const pad = (k - 1) / 2;
    let y = b.node('Conv', [x, b.randomWeight(`${name}.w`, [cout, cin / group, k, k])], { kernel_shape: [k, k], pads: [pad, pad, pad, pad], group }, { name });
    y = b.node('BatchNormalization', [y, b.uniform(`${name}.g`, [cout], 0.5, 1.5), b.uniform(`${name}.b`, [cout], -0.2, 0.2), b.uniform(`${name}.m`, [cout], -0.2, 0.2), b.uniform(`${name}.v`, [cout], 0.5, 1.5)], { epsilon: 1e-5 }, { name: `${name}/bn` });
    return relu ? b.node('Relu', [y], {}, { name: `${name}/relu` }) : y;
  };
  const s = convBn('input', 'stem', 3, 12, 5);
  let h = convBn(s, 'a', 12, 16, 7);
  h = convBn(h, 'dw', 16, 16, 5, 16);
  h = convBn(h, 'proj', 16, 12, 1, 1, false);
  const y = b.node('Relu', [b.node('Add', [h, s])], {}, { name: 'out/relu' });
  const f = b.node('Flatten', [b.node('GlobalAveragePool', [y])], { axis: 1 });
  b.output(b.node('Gemm', [f, b.randomWeight('fc.w', [3, 12]), b.uniform('fc.b', [3], -0.1, 0.1)], { transB: 1 }, { outputs: ['logits'] }), [2, 3]);
  return b.toGraph();
}

/** x → A (3→8, 3×3) → ReLU "start" → B (8→8, 3×3) → ReLU "end" → C (8→8, 1×1) → GAP → fc: block [start, end] joins two width groups. */
export function twoGroupChain(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 12, name: 'two_group_chain' });
  b.input('input', [2, 3, 8, 8]);
  const conv = (x: string, name: string, cin: number, cout: number, k: number) =>
    b.node('Conv', [x, b.randomWeight(`${name}.w`, [cout, cin, k, k]), b.uniform(`${name}.b`, [cout], -0.2, 0.2)], { kernel_shape: [k, k], pads: Array(4).fill((k - 1) / 2) }, { name });
  const s = b.node('Relu', [conv('input', 'A', 3, 8, 3)], {}, { name: 'start' });
  const e = b.node('Relu', [conv(s, 'B', 8, 8, 3)], {}, { name: 'end' });
  const f = b.node('Flatten', [b.node('GlobalAveragePool', [conv(e, 'C', 8, 8, 1)])], { axis: 1 });
  b.output(b.node('Gemm', [f, b.randomWeight('fc.w', [3, 8])], { transB: 1 }, { outputs: ['logits'] }), [2, 3]);
  return b.toGraph();
}

/**
 * A small ResNet with BatchNorm and a dynamic batch: x[N,2,6,6] → stem conv-BN-ReLU "r0" (8 ch) →
 * `blocks` residual blocks [conv-BN-ReLU → conv-BN] + skip → ReLU "r{k}" → GAP → fc (3 classes).
 * Skippable blocks: [r{k−1}, r{k}].
 */
export function tinyBnResnet(blocks = 3, seed = 21): Graph {
  const b = new OnnxBuilder({ opset: 13, seed, name: 'tiny_bn_resnet' });
  b.input('x', ['N', 2, 6, 6]);
  const convBn = (x: string, name: string, cin: number, cout: number) => {
    const y = b.node('Conv', [x, b.randomWeight(`${name}.w`, [cout, cin, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name });
    return b.node('BatchNormalization', [y, b.uniform(`${name}.g`, [cout], 0.5, 1.5), b.uniform(`${name}.b`, [cout], -0.2, 0.2), b.uniform(`${name}.m`, [cout], -0.2, 0.2), b.uniform(`${name}.v`, [cout], 0.5, 1.5)], { epsilon: 1e-5, momentum: 0.9 }, { name: `${name}/bn` });
  };
  let r = b.node('Relu', [convBn('x', 'stem', 2, 8)], {}, { name: 'r0' });
  for (let k = 1; k <= blocks; k++) {
    const h = convBn(b.node('Relu', [convBn(r, `b${k}a`, 8, 8)], {}, { name: `b${k}/relu` }), `b${k}b`, 8, 8);
    r = b.node('Relu', [b.node('Add', [h, r], {}, { name: `b${k}/add` })], {}, { name: `r${k}` });
  }
  const f = b.node('Flatten', [b.node('GlobalAveragePool', [r], {}, { name: 'gap' })], { axis: 1 }, { name: 'flat' });
  b.output(b.node('Gemm', [f, b.randomWeight('fc.w', [3, 8]), b.uniform('fc.b', [3], -0.1, 0.1)], { transB: 1 }, { name: 'fc', outputs: ['logits'] }), ['N', 3]);
  return b.toGraph();
}

/**
 * A tiny ResNet-50-for-CIFAR-10 look-alike whose ReLU nodes carry NNCF's PyTorch scope names, so NNCF's
 * own bootstrapnas_examples config (its skipped_blocks name "ResNet/Sequential[layerL]/Bottleneck[i]/
 * ReLU[relu]/relu__2") applies unchanged: x[N,3,32,32] → stem 3×3/2 conv-BN-ReLU (16) → MaxPool 2 →
 * layers of 3, 4, 6, 3 bottlenecks (1×1 16→`inner`, 3×3 `inner`→`inner` (stride 2 in the first block
 * of layers 2–4), 1×1 →16, BN each; a 1×1/2 conv-BN downsample on the skip there) → GAP → fc (10).
 * The inner widths (default 40) give NNCF's width multipliers [1, 0.8, 0.6] the list [40, 32].
 */
export function cifarResnet50Style(inner = 40, seed = 50): Graph {
  const b = new OnnxBuilder({ opset: 13, seed, name: 'resnet50_cifar10_tiny' });
  b.input('x', ['N', 3, 32, 32]);
  const convBn = (x: string, name: string, cin: number, cout: number, k: number, stride = 1) => {
    const pad = (k - 1) / 2;
    const y = b.node('Conv', [x, b.randomWeight(`${name}.weight`, [cout, cin, k, k])], { kernel_shape: [k, k], pads: [pad, pad, pad, pad], strides: [stride, stride] }, { name });
    return b.node('BatchNormalization', [y, b.uniform(`${name}.bn.weight`, [cout], 0.5, 1.5), b.uniform(`${name}.bn.bias`, [cout], -0.2, 0.2), b.uniform(`${name}.bn.running_mean`, [cout], -0.2, 0.2), b.uniform(`${name}.bn.running_var`, [cout], 0.5, 1.5)], { epsilon: 1e-5, momentum: 0.9 }, { name: `${name}/bn` });
  };
  let h = b.node('Relu', [convBn('x', 'ResNet/Conv2d[conv1]', 3, 16, 3, 2)], {}, { name: 'ResNet/ReLU[relu]/relu_0' });
  h = b.node('MaxPool', [h], { kernel_shape: [2, 2], strides: [2, 2] }, { name: 'ResNet/MaxPool2d[maxpool]' });
  for (const [l, blocks] of [3, 4, 6, 3].entries()) {
    for (let i = 0; i < blocks; i++) {
      const at = `ResNet/Sequential[layer${l + 1}]/Bottleneck[${i}]`;
      const stride = l > 0 && i === 0 ? 2 : 1;
      let y = b.node('Relu', [convBn(h, `${at}/Conv2d[conv1]`, 16, inner, 1)], {}, { name: `${at}/ReLU[relu]/relu_0` });
      y = b.node('Relu', [convBn(y, `${at}/Conv2d[conv2]`, inner, inner, 3, stride)], {}, { name: `${at}/ReLU[relu]/relu__1` });
      y = convBn(y, `${at}/Conv2d[conv3]`, inner, 16, 1);
      const skip = stride === 2 ? convBn(h, `${at}/Sequential[downsample]/Conv2d[0]`, 16, 16, 1, 2) : h;
      h = b.node('Relu', [b.node('Add', [y, skip], {}, { name: `${at}/__iadd___0` })], {}, { name: `${at}/ReLU[relu]/relu__2` });
    }
  }
  const f = b.node('Flatten', [b.node('GlobalAveragePool', [h], {}, { name: 'ResNet/AdaptiveAvgPool2d[avgpool]' })], { axis: 1 }, { name: 'ResNet/flatten_0' });
  b.output(b.node('Gemm', [f, b.randomWeight('linear.weight', [10, 16]), b.uniform('linear.bias', [10], -0.1, 0.1)], { transB: 1 }, { name: 'ResNet/Linear[linear]', outputs: ['logits'] }), ['N', 10]);
  return b.toGraph();
}
