/**
 * Elastic depth (NNCF's ElasticDepthHandler): NNCF's progressive rule and search space on a chain of
 * three residual blocks (one dependency group), seeded random subnets, the engine with skipped blocks
 * = the exported standalone subnet on onnxruntime (1e-4), and the SkipBlock node form training on ONNX
 * Runtime with the engine's loss and gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ElasticDepthError, ElasticDepthHandler } from '../../src/algorithms/nas/elastic-depth/index.js';
import { ElasticWidthHandler } from '../../src/algorithms/nas/elastic-width/index.js';
import { MultiElasticityHandler } from '../../src/algorithms/nas/elasticity.js';
import { resnetStyle } from '../helpers/models.js';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { CompressedModel, refreshNodeInputs, spliceCompressionNodes } from '../../src/compression/index.js';
import { Random } from '../../src/data/random.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { softmaxCrossEntropy } from '../../src/training/index.js';
import { relativeError } from '../autodiff/helpers.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { runOrt } from '../onnx/ort-utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** x[4,2,5,5] → stem conv+relu (r0) → 3 × [conv a → relu → conv b → add r(k−1) → relu (rk)] → flatten → fc (100→3). */
function model() {
  const b = new OnnxBuilder({ opset: 13, seed: 5, name: 'res3' });
  b.input('x', [4, 2, 5, 5]);
  const conv = (x: string, name: string, cin: number) =>
    b.node('Conv', [x, b.randomWeight(`${name}.w`, [4, cin, 3, 3]), b.uniform(`${name}.b`, [4], -0.1, 0.1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name });
  let r = b.node('Relu', [conv('x', 'stem', 2)], {}, { name: 'r0' });
  for (let k = 1; k <= 3; k++) {
    const h = conv(b.node('Relu', [conv(r, `b${k}a`, 4)], {}, { name: `b${k}/relu` }), `b${k}b`, 4);
    r = b.node('Relu', [b.node('Add', [h, r], {}, { name: `b${k}/add` })], {}, { name: `r${k}` });
  }
  const f = b.node('Flatten', [r], { axis: 1 }, { name: 'flat' });
  b.output(b.node('Gemm', [f, b.randomWeight('fc.w', [3, 100]), b.uniform('fc.b', [3], -0.1, 0.1)], { transB: 1 }, { name: 'fc', outputs: ['logits'] }), [4, 3]);
  const g = b.toGraph();
  return new CompressedModel(g, new Engine(g));
}

const input = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i * 0.37));

describe('elastic depth handler', () => {
  it('finds the three residual blocks as one group; progressive rule, search space and random subnets as NNCF', () => {
    const m = model();
    const depth = new ElasticDepthHandler(m, { minBlockSize: 4, maxBlockSize: 4, hwFusedOps: false });
    // ids: x 0, stem 1, r0 2, b1a 3, relu 4, b1b 5, add 6, r1 7, ... NNCF's size = end id − first skipped id
    // (− 1 from a fork's dummy): stem → b1/add (first skipped r0) is 6 − 2 = 4, and so is r0 → r1 from
    // r0's dummy (7 − 2 − 1). Both make chains of three; the tie goes to the chain starting first.
    expect(depth.blocks).toEqual([{ start: 'stem', end: 'b1/add' }, { start: 'b1/add', end: 'b2/add' }, { start: 'b2/add', end: 'b3/add' }]);
    expect(depth.groups).toEqual([[0, 1, 2]]);
    // depth_indicator 1: only the last block of the group
    expect(depth.searchSpace()).toEqual([[2], []]);
    expect(depth.consistent([1, 2])).toEqual([2]);
    depth.depthIndicator = 3;
    expect(depth.searchSpace()).toEqual([[2], [1, 2], [0, 1, 2], []]);
    // a block is skipped only with every later one of its group
    expect(depth.consistent([0, 2])).toEqual([2]);
    expect(depth.consistent([1])).toEqual([]);
    expect(depth.minimumConfig()).toEqual([0, 1, 2]);
    expect(depth.maximumConfig()).toEqual([]);
    const draw = (seed: number) => Array.from({ length: 24 }, ((r) => () => depth.randomConfig(r))(new Random(seed)));
    expect(draw(4)).toEqual(draw(4));
    expect(new Set(draw(4).map((c) => c.join()))).toEqual(new Set(['', '2', '1,2', '0,1,2']));
    depth.activate([0, 2]);
    expect(depth.activeConfig()).toEqual([2]);
    expect(depth.skippedNodes()).toEqual(['r2', 'b3a', 'b3/relu', 'b3b', 'b3/add']);
    expect(() => depth.activate([3])).toThrow(/block 3, but the model has 3 skippable blocks/);
    expect(() => (depth.depthIndicator = 0)).toThrow(/positive integer/);
    depth.dispose();
    m.engine.dispose();
  });

  it('manual skipped_blocks: errors name the block (unknown node, shape change, unrelated nodes)', () => {
    const m = model();
    expect(() => new ElasticDepthHandler(m, { skippedBlocks: [['r0', 'nope']] })).toThrow(/names "nope", which is not a node/);
    expect(() => new ElasticDepthHandler(m, { skippedBlocks: [['r3', 'fc']] })).toThrow(ElasticDepthError);
    expect(() => new ElasticDepthHandler(m, { skippedBlocks: [['r3', 'fc']] })).toThrow(/skipped_blocks\[0\].*must keep the shape/);
    expect(() => new ElasticDepthHandler(m, { skippedBlocks: [['r2', 'b1/relu']] })).toThrow(/"b1\/relu" does not depend on "r2"/);
    // a node form reading a graph tensor that is not there is refused when spliced
    const bad = { point: { kind: 'tensor' as const, name: m.graph.node('r1')!.outputs[0] }, owner: 'elastic_depth', fn: (t: tf.Tensor) => t, node: { opType: 'SkipBlock', graphInputs: ['gone'], inputs: [] } };
    expect(() => spliceCompressionNodes(m.graph, [bad])).toThrow(/elastic_depth command reads tensor "gone", which is not in the graph/);
    m.engine.dispose();
  });

  it('5 random subnets: the engine with skipped blocks = the exported smaller subnet on onnxruntime (1e-4); MACs drop by the block', async () => {
    const m = model();
    const depth = new ElasticDepthHandler(m, { skippedBlocks: [['r0', 'r1'], ['r1', 'r2'], ['r2', 'r3']] });
    depth.depthIndicator = 3;
    const handler = new MultiElasticityHandler(m, { depth });
    // conv 3×3 on 5×5: stem 9·2·4·25 = 1800, each block conv 9·4·4·25 = 3600; fc 100·3 per row × 4 rows
    expect(handler.macs()).toBe(1800 + 6 * 3600 + 1200);
    const x = tf.tensor(input, [4, 2, 5, 5]);
    tf.tidy(() => void m.run({ x }));
    const before = tf.memory().numTensors;
    const rng = new Random(2);
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const c = handler.sampleRandom(rng);
      seen.add(c.depth!.join());
      const got = tf.tidy(() => Array.from(m.run({ x }).logits.dataSync()));
      const sub = handler.exportSubnet();
      expect(sub.nodes.filter((n) => n.opType === 'Conv')).toHaveLength(7 - 2 * c.depth!.length);
      expect(handler.macs()).toBe(1800 + (6 - 2 * c.depth!.length) * 3600 + 1200);
      const ref = await runOrt(exportOnnx(sub), { x: { dims: [4, 2, 5, 5], data: input } });
      const want = Array.from(ref.logits.data as Float32Array);
      expect(Math.max(...got.map((v, j) => Math.abs(v - want[j]))), `subnet ${c.depth}`).toBeLessThan(1e-4);
    }
    expect(seen.size).toBeGreaterThan(2);
    // the supernet again: same as the model without elastic depth
    handler.activateSupernet();
    const full = await runOrt(exportOnnx(handler.exportSubnet()), { x: { dims: [4, 2, 5, 5], data: input } });
    expect(handler.exportSubnet().nodes.filter((n) => n.opType === 'Conv')).toHaveLength(7);
    const eng = tf.tidy(() => Array.from(m.run({ x }).logits.dataSync()));
    expect(Math.max(...eng.map((v, j) => Math.abs(v - (full.logits.data as Float32Array)[j])))).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    handler.dispose();
    m.engine.dispose();
  }, 120_000);

  it('SkipBlock node form on ONNX Runtime: loss and gradients = the engine for a subnet (skipped weights get none); the flag switch needs no recompile', async () => {
    const m = model();
    const depth = new ElasticDepthHandler(m, { skippedBlocks: [['r0', 'r1'], ['r1', 'r2'], ['r2', 'r3']] });
    depth.depthIndicator = 3;
    const spliced = spliceCompressionNodes(m.graph, m.commands());
    expect(spliced.graph.nodes.filter((n) => n.opType === 'SkipBlock')).toHaveLength(3);
    const step = await OrtTrainerStep.create(compileTrainingGraph(spliced.graph, spliced.compileOptions), { threads: 1 });
    const x = tf.tensor(input, [4, 2, 5, 5]);
    const labels = [0, 2, 1, 2];
    const y = tf.tensor1d(labels, 'int32');
    const weights = m.engine.weights();
    for (const config of [[1, 2], [], [2]]) {
      depth.activate(config);
      const vars = m.trainableVariables();
      const { value, grads } = tf.variableGrads(() => softmaxCrossEntropy(m.run({ x }, { training: true }).logits, y), vars);
      refreshNodeInputs(spliced.feeds, step);
      const r = await step.step({ data: input, shape: [4, 2, 5, 5] }, labels);
      expect(Math.abs(r.loss - value.dataSync()[0]), `loss ${config}`).toBeLessThan(1e-5);
      for (const w of weights) {
        const eg = grads[w.variable.name];
        const ort = r.gradients.get(w.name)!;
        if (config.some((b) => w.name.startsWith(`b${b + 1}`))) {
          // a skipped block's weights do not reach the loss: no engine gradient, zeros from ORT
          expect(eg ?? null, w.name).toBeNull();
          expect(Math.max(...Array.from(ort).map(Math.abs)), w.name).toBe(0);
          continue;
        }
        const onnx = w.perm ? tf.transpose(eg, w.perm.map((_, i) => w.perm!.indexOf(i))) : eg.clone();
        expect(relativeError(ort, onnx.dataSync() as Float32Array), `${w.name} ${config}`).toBeLessThan(1e-4);
        onnx.dispose();
      }
      tf.dispose([value, ...Object.values(grads).filter((g) => g)]);
    }
    await step.release();
    tf.dispose([x, y]);
    depth.dispose();
    m.engine.dispose();
  }, 120_000);

  it('with elastic width, a block whose input and output widths differ is not skipped (NNCF resolve_conflicts); the export runs on onnxruntime', async () => {
    const g = resnetStyle({ batch: 2, size: 8 }).graph;
    const m = new CompressedModel(g, new Engine(g));
    const width = new ElasticWidthHandler(m, { min_width: 4, width_step: 4 });
    // conv1 → conv2 of layer1.0: conv1's output is its own width group, conv2's joins the residual (stem) group
    const depth = new ElasticDepthHandler(m, { skippedBlocks: [['layer1.0.conv1/Conv', 'layer1.0.conv2/Conv']] });
    const h = new MultiElasticityHandler(m, { width, depth });
    const groupOf = (conv: string) => width.analysis.groups.find((gr) => gr.members.some((l) => l.node.name === conv))!.id;
    const a = groupOf('layer1.0.conv1/Conv');
    const b = groupOf('layer1.0.conv2/Conv');
    expect(a).not.toBe(b);
    const full = h.maximumConfig().width!;
    h.activate({ width: { ...full, [a]: 8, [b]: 16 }, depth: [0] });
    expect(h.activeConfig().depth).toEqual([]);
    h.activate({ width: { ...full, [a]: 8, [b]: 8 }, depth: [0] });
    expect(h.activeConfig().depth).toEqual([0]);
    const x = Float32Array.from({ length: 2 * 3 * 64 }, (_, i) => Math.cos(i * 0.21));
    const got = tf.tidy(() => Array.from(m.run({ input: tf.tensor(x, [2, 3, 8, 8]) }).logits.dataSync()));
    const ref = await runOrt(exportOnnx(h.exportSubnet()), { input: { dims: [2, 3, 8, 8], data: x } });
    const want = Array.from(ref.logits.data as Float32Array);
    expect(Math.max(...got.map((v, j) => Math.abs(v - want[j])))).toBeLessThan(1e-4);
    h.dispose();
    m.engine.dispose();
  }, 120_000);
});
