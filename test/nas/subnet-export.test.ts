/**
 * Subnet export acceptance (issue 16): on a ResNet-style model (residual adds, projection shortcut), a
 * MobileNetV2-style one (depthwise convs, inverted residuals, width multipliers), a Concat net and a
 * model with 5×5/7×7 kernels (elastic kernel and width together, a depthwise 5×5), ≥ 5 seeded random
 * subnets each: the elastic model on the engine (masks, transformed kernels) computes what the exported
 * standalone, physically smaller subnet computes on onnxruntime (1e-4), and the MACs the handler counts
 * for the active subnet equal the MACs of the exported graph counted from scratch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ElasticKernelHandler, ElasticWidthHandler, MultiElasticityHandler, type ElasticWidthOptions } from '../../src/algorithms/nas/index.js';
import { CompressedModel } from '../../src/compression/index.js';
import { Random } from '../../src/data/random.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import type { Graph } from '../../src/graph/index.js';
import { concatNet, mobilenetV2Style, resnetStyle } from '../helpers/models.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { runOrt, seededFloats } from '../onnx/ort-utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** x → 5×5 conv-BN-ReLU → [7×7 conv-BN-ReLU → 5×5 depthwise-BN → 1×1 conv-BN] + x-branch → ReLU → GAP → fc. */
function bigKernels(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 9, name: 'big_kernels' });
  b.input('input', [2, 3, 10, 10]);
  const convBn = (x: string, name: string, cin: number, cout: number, k: number, group = 1, relu = true) => {
    const pad = (k - 1) / 2;
    let y = b.node('Conv', [x, b.randomWeight(`${name}.w`, [cout, cin / group, k, k])], { kernel_shape: [k, k], pads: [pad, pad, pad, pad], group }, { name });
    y = b.node('BatchNormalization', [y, b.uniform(`${name}.g`, [cout], 0.5, 1.5), b.uniform(`${name}.b`, [cout], -0.2, 0.2), b.uniform(`${name}.m`, [cout], -0.2, 0.2), b.uniform(`${name}.v`, [cout], 0.5, 1.5)], { epsilon: 1e-5 }, { name: `${name}/bn` });
    return relu ? b.node('Relu', [y]) : y;
  };
  const s = convBn('input', 'stem', 3, 12, 5);
  let h = convBn(s, 'a', 12, 16, 7);
  h = convBn(h, 'dw', 16, 16, 5, 16);
  h = convBn(h, 'proj', 16, 12, 1, 1, false);
  const y = b.node('Relu', [b.node('Add', [h, s])]);
  const f = b.node('Flatten', [b.node('GlobalAveragePool', [y])], { axis: 1 });
  b.output(b.node('Gemm', [f, b.randomWeight('fc.w', [3, 12]), b.uniform('fc.b', [3], -0.1, 0.1)], { transB: 1 }, { outputs: ['logits'] }), [2, 3]);
  return b.toGraph();
}

const cases: { name: string; graph: () => Graph; input: number[]; width: ElasticWidthOptions; kernels: boolean }[] = [
  { name: 'ResNet-style', graph: () => resnetStyle({ size: 8, width: 8, batch: 2, classes: 4 }).graph, input: [2, 3, 8, 8], width: { min_width: 4, width_step: 4 }, kernels: false },
  { name: 'MobileNetV2-style', graph: () => mobilenetV2Style({ size: 16, batch: 2, classes: 4 }).graph, input: [2, 3, 16, 16], width: { min_width: 8, width_multipliers: [1, 0.75, 0.5, 0.25] }, kernels: false },
  { name: 'Concat net', graph: () => concatNet({ size: 8, batch: 2, classes: 4 }).graph, input: [2, 3, 8, 8], width: { min_width: 2, width_step: 2 }, kernels: false },
  { name: '5×5/7×7 kernels + width', graph: bigKernels, input: [2, 3, 10, 10], width: { min_width: 4, width_step: 4 }, kernels: true },
];

const paramCount = (g: Graph) => [...g.initializers.values()].reduce((s, t) => s + (t.dtype === 'float32' ? t.values.length : 0), 0);

describe('standalone subnet export = the elastic model (ORT, 1e-4)', () => {
  it.each(cases)('$name: 6 random subnets', async ({ graph, input, width: widthOpts, kernels }) => {
    const g = graph();
    const m = new CompressedModel(g, new Engine(g));
    const width = new ElasticWidthHandler(m, widthOpts);
    const kernel = kernels ? new ElasticKernelHandler(m) : undefined;
    const h = new MultiElasticityHandler(m, { width, kernel });
    expect(width.analysis.groups.length).toBeGreaterThan(1);
    expect(Object.values(width.searchSpace()).some((l) => l.length > 2)).toBe(true);
    if (kernel) {
      expect(kernel.searchSpace()).toEqual([[5, 3], [7, 5, 3], [5, 3]]);
      // learned transforms away from identity, so the export has to carry them
      for (const op of kernel.ops) for (const mat of op.matrices.values()) tf.tidy(() => mat.assign(tf.add(mat, tf.mul(0.1, tf.tensor(seededFloats(mat.size, 3), mat.shape)))));
    }
    width.reorganizeWeights();
    const x = seededFloats(input.reduce((a, b) => a * b, 1), 17);
    const full = paramCount(g);
    tf.tidy(() => void m.run({ input: tf.tensor(x, input) }));
    const before = tf.memory().numTensors;
    const rng = new Random(2026);
    let smaller = 0;
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const config = h.sampleRandom(rng);
      seen.add(JSON.stringify(config));
      const got = tf.tidy(() => Array.from(m.run({ input: tf.tensor(x, input) }).logits.dataSync()));
      const sub = h.exportSubnet();
      const ref = await runOrt(exportOnnx(sub), { input: { dims: input, data: x } });
      const want = Array.from(ref.logits.data as Float32Array);
      const err = Math.max(...got.map((v, j) => Math.abs(v - want[j])));
      expect(err, JSON.stringify(config)).toBeLessThan(1e-4);
      if (paramCount(sub) < full) smaller++;
      // MACs of the masked subnet = MACs of the physical subnet counted from scratch
      const plain = new CompressedModel(sub, new Engine(sub));
      expect(new MultiElasticityHandler(plain, {}).macs(), JSON.stringify(config)).toBe(h.macs());
      plain.engine.dispose();
    }
    expect(seen.size).toBeGreaterThanOrEqual(5);
    expect(smaller).toBeGreaterThanOrEqual(5);
    h.activateMinimum();
    expect(paramCount(h.exportSubnet())).toBeLessThan(full);
    expect(tf.memory().numTensors).toBe(before);
    h.dispose();
    m.engine.dispose();
  }, 120_000);
});
