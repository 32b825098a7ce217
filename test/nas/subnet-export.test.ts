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
import { ElasticDepthHandler, ElasticKernelHandler, ElasticWidthHandler, MultiElasticityHandler, type ElasticWidthOptions } from '../../src/algorithms/nas/index.js';
import { CompressedModel } from '../../src/compression/index.js';
import { Random } from '../../src/data/random.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import type { Graph } from '../../src/graph/index.js';
import { concatNet, mobilenetV2Style, resnetStyle } from '../helpers/models.js';
import { bigKernels, twoGroupChain } from './nas-models.js';
import { runOrt, seededFloats } from '../onnx/ort-utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const cases: { name: string; graph: () => Graph; input: number[]; width: ElasticWidthOptions; kernels: boolean; blocks?: [string, string][] }[] = [
  { name: 'ResNet-style', graph: () => resnetStyle({ size: 8, width: 8, batch: 2, classes: 4 }).graph, input: [2, 3, 8, 8], width: { min_width: 4, width_step: 4 }, kernels: false },
  { name: 'MobileNetV2-style', graph: () => mobilenetV2Style({ size: 16, batch: 2, classes: 4 }).graph, input: [2, 3, 16, 16], width: { min_width: 8, width_multipliers: [1, 0.75, 0.5, 0.25] }, kernels: false },
  { name: 'Concat net', graph: () => concatNet({ size: 8, batch: 2, classes: 4 }).graph, input: [2, 3, 8, 8], width: { min_width: 2, width_step: 2 }, kernels: false },
  { name: '5×5/7×7 kernels + width + depth', graph: bigKernels, input: [2, 3, 10, 10], width: { min_width: 4, width_step: 4 }, kernels: true, blocks: [['stem/relu', 'out/relu']] },
];

const paramCount = (g: Graph) => [...g.initializers.values()].reduce((s, t) => s + (t.dtype === 'float32' ? t.values.length : 0), 0);

describe('standalone subnet export = the elastic model (ORT, 1e-4)', () => {
  it.each(cases)('$name: 6 random subnets', async ({ graph, input, width: widthOpts, kernels, blocks }) => {
    const g = graph();
    const m = new CompressedModel(g, new Engine(g));
    const width = new ElasticWidthHandler(m, widthOpts);
    const kernel = kernels ? new ElasticKernelHandler(m) : undefined;
    const depth = blocks ? new ElasticDepthHandler(m, { skippedBlocks: blocks }) : undefined;
    const h = new MultiElasticityHandler(m, { width, kernel, depth });
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
    if (depth) expect(new Set([...seen].map((c) => JSON.stringify(JSON.parse(c).depth)))).toEqual(new Set(['[]', '[0]']));
    expect(smaller).toBeGreaterThanOrEqual(5);
    h.activateMinimum();
    expect(paramCount(h.exportSubnet())).toBeLessThan(full);
    expect(tf.memory().numTensors).toBe(before);
    h.dispose();
    m.engine.dispose();
  }, 120_000);
});

describe('width and depth together: a block is skipped only where its boundaries keep the same channels', () => {
  it('NNCF resolve_conflicts: the block is dropped from the config when the widths differ; kept (and exported right) when they agree', async () => {
    const g = twoGroupChain();
    const m = new CompressedModel(g, new Engine(g));
    const width = new ElasticWidthHandler(m, { min_width: 4, width_step: 4 });
    const depth = new ElasticDepthHandler(m, { skippedBlocks: [['start', 'end']] });
    const h = new MultiElasticityHandler(m, { width, depth });
    expect(width.analysis.groups.map((gr) => gr.members.map((l) => l.node.name))).toEqual([['A'], ['B'], ['C']]);
    expect(h.activate({ width: { 0: 4, 1: 8, 2: 8 }, depth: [0] })).toEqual({ width: { 0: 4, 1: 8, 2: 8 }, depth: [] });
    expect(h.activate({ width: { 0: 8, 1: 8, 2: 4 }, depth: [0] }).depth).toEqual([0]);
    // equal widths with the same channels kept (identity order): skippable, and the export fits
    expect(h.activate({ width: { 0: 4, 1: 4, 2: 8 }, depth: [0] }).depth).toEqual([0]);
    const x = seededFloats(2 * 3 * 8 * 8, 2);
    const got = tf.tidy(() => Array.from(m.run({ input: tf.tensor(x, [2, 3, 8, 8]) }).logits.dataSync()));
    const ref = await runOrt(exportOnnx(h.exportSubnet()), { input: { dims: [2, 3, 8, 8], data: x } });
    const want = Array.from(ref.logits.data as Float32Array);
    expect(Math.max(...got.map((v, j) => Math.abs(v - want[j])))).toBeLessThan(1e-4);
    // equal widths but other channels (B's order reversed): not skippable
    width.setChannelOrder([[0, 1, 2, 3, 4, 5, 6, 7], [7, 6, 5, 4, 3, 2, 1, 0], [0, 1, 2, 3, 4, 5, 6, 7]]);
    expect(h.activate({ width: { 0: 4, 1: 4, 2: 8 }, depth: [0] }).depth).toEqual([]);
    h.dispose();
    m.engine.dispose();
  }, 120_000);
});
