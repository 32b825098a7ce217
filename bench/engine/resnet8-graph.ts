/**
 * The ResNet-8 of engine-notes.md as an ONNX model (NCHW, PyTorch-style symmetric pads) built with
 * the test helpers' OnnxBuilder: the Graph for our engine and the bytes for onnxruntime-node.
 */
import { OnnxBuilder } from '../../test/helpers/onnx-builder.js';
import type { Graph } from '../../src/graph/graph.js';

function convBn(
  b: OnnxBuilder,
  x: string,
  name: string,
  cin: number,
  cout: number,
  k: number,
  stride: number,
  relu: boolean,
): string {
  const pad = Math.floor(k / 2);
  let y = b.node(
    'Conv',
    [x, b.randomWeight(`${name}.weight`, [cout, cin, k, k])],
    { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad] },
    { name: `${name}/Conv` },
  );
  y = b.node(
    'BatchNormalization',
    [
      y,
      b.uniform(`${name}.bn.scale`, [cout], 0.5, 1.5),
      b.uniform(`${name}.bn.bias`, [cout], -0.1, 0.1),
      b.uniform(`${name}.bn.mean`, [cout], -0.1, 0.1),
      b.uniform(`${name}.bn.var`, [cout], 0.5, 1.5),
    ],
    { epsilon: 1e-5, momentum: 0.9 },
    { name: `${name}/BatchNormalization` },
  );
  return relu ? b.node('Relu', [y], {}, { name: `${name}/Relu` }) : y;
}

export function resnet8Onnx(): { graph: Graph; bytes: Uint8Array } {
  const b = new OnnxBuilder({ opset: 13, seed: 8, name: 'resnet8' });
  const x = b.input('input', ['N', 3, 32, 32]);
  let y = convBn(b, x, 'stem', 3, 16, 3, 1, true);
  let cin = 16;
  for (const [cout, s] of [
    [16, 1],
    [32, 2],
    [64, 2],
  ] as const) {
    const n = `layer${cout}`;
    const r = convBn(
      b,
      convBn(b, y, `${n}.conv1`, cin, cout, 3, s, true),
      `${n}.conv2`,
      cout,
      cout,
      3,
      1,
      false,
    );
    const short = s !== 1 || cin !== cout ? convBn(b, y, `${n}.downsample`, cin, cout, 1, s, false) : y;
    y = b.node('Relu', [b.node('Add', [r, short], {}, { name: `${n}/Add` })], {}, { name: `${n}/Relu` });
    cin = cout;
  }
  const pooled = b.node('GlobalAveragePool', [y], {}, { name: 'head/GlobalAveragePool' });
  const flat = b.node('Flatten', [pooled], { axis: 1 }, { name: 'head/Flatten' });
  const logits = b.node(
    'Gemm',
    [flat, b.randomWeight('fc.weight', [10, 64]), b.uniform('fc.bias', [10], -0.1, 0.1)],
    { alpha: 1, beta: 1, transB: 1 },
    { name: 'fc/Gemm', outputs: ['logits'] },
  );
  b.output(logits, ['N', 10]);
  return { graph: b.toGraph(), bytes: b.toBytes() };
}
