/**
 * BootstrapNAS elastic width (src/algorithms/nas/elastic-width/): NNCF's width lists (hand-computed from
 * the rules), the groups and search space on the ResNet-style model, activation as masks on the most
 * important channels after reorganize_weights, MACs of the active subnet, the BN statistics a trainer
 * must keep, errors; and the Mask node form on ONNX Runtime: one compiled training graph, two subnets
 * switched by the fed masks only, each with the engine's loss and gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ElasticWidthHandler, elasticWidthList, MultiElasticityHandler } from '../../src/algorithms/nas/index.js';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { CompressedModel, refreshNodeInputs, spliceCompressionNodes } from '../../src/compression/index.js';
import { Random } from '../../src/data/random.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { softmaxCrossEntropy } from '../../src/training/index.js';
import { relativeError } from '../autodiff/helpers.js';
import { resnetStyle } from '../helpers/models.js';
import { seededFloats } from '../onnx/ort-utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('width lists (NNCF _generate_width_list)', () => {
  it.each([
    ['defaults (min 32, step 32)', 64, {}, [64, 32]],
    ['max ≤ min_width', 32, {}, [32]],
    ['steps', 100, { min_width: 16, width_step: 24 }, [100, 76, 52, 28]],
    ['steps, max_num_widths 2', 100, { min_width: 16, width_step: 24, max_num_widths: 2 }, [100, 76]],
    ['steps, max_num_widths 1', 100, { min_width: 16, width_step: 24, max_num_widths: 1 }, [100]],
    ['multipliers < 1: the max first, multiples of 8, raised to min_width, no duplicates', 64, { width_multipliers: [0.25, 0.5, 0.75] }, [64, 48, 32]],
    ['multiplier 1 with a max not a multiple of 8 (NNCF lists 24, not 30)', 30, { min_width: 4, width_multipliers: [1, 0.5] }, [24, 8]],
    ['multipliers, max_num_widths 2', 100, { min_width: 8, width_multipliers: [0.3, 0.9], max_num_widths: 2 }, [100, 88]],
    ['empty multipliers: steps', 64, { min_width: 16, width_step: 16, width_multipliers: [] }, [64, 48, 32, 16]],
  ])('%s: %i → %j', (_, max, params, expected) => {
    expect(elasticWidthList(max as number, params)).toEqual(expected);
  });
  it('errors: a multiplier outside (0, 1], a width step of 0', () => {
    expect(() => elasticWidthList(64, { width_multipliers: [1.5] })).toThrow(/width_multipliers: 1.5 is not in \(0, 1\]/);
    expect(() => elasticWidthList(64, { width_step: 0 })).toThrow(/width_step must be positive, got 0/);
  });
});

function resnet(opts: ConstructorParameters<typeof ElasticWidthHandler>[1] = { min_width: 4, width_step: 4, max_num_widths: 3 }) {
  const g = resnetStyle({ size: 8, width: 8, batch: 2, classes: 4 }).graph;
  const m = new CompressedModel(g, new Engine(g));
  return { m, width: new ElasticWidthHandler(m, opts) };
}

const weight = (m: CompressedModel, name: string): number[] => {
  const t = m.engine.getWeight(name);
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

describe('elastic width on the ResNet-style model', () => {
  it('groups with the first and downsampling convs (NNCF elastic width prunes them), width lists, MACs', () => {
    const { m, width } = resnet();
    expect(width.analysis.groups.map((g) => g.members.map((l) => l.node.name))).toEqual([
      ['stem/Conv', 'layer1.0.conv2/Conv'],
      ['layer1.0.conv1/Conv'],
      ['layer2.0.conv1/Conv'],
      ['layer2.0.conv2/Conv', 'layer2.0.downsample/Conv'],
    ]);
    expect(width.searchSpace()).toEqual({ 0: [8, 4], 1: [8, 4], 2: [16, 12, 8], 3: [16, 12, 8] });
    width.widthIndicator = 2;
    expect(width.searchSpace()).toEqual({ 0: [8, 4], 1: [8, 4], 2: [16, 12], 3: [16, 12] });
    expect(width.minimumConfig()).toEqual({ 0: 4, 1: 4, 2: 12, 3: 12 });
    width.widthIndicator = -1;
    const h = new MultiElasticityHandler(m, { width });
    // 8×8 input: stem 9·3·8·64 = 13824, layer1 convs 9·8·8·64 = 36864 each, layer2.conv1 9·8·16·16 = 18432,
    // conv2 9·16·16·16 = 36864, downsample 8·16·16 = 2048, fc 16·4 = 64 (batch 2: 128)
    const full = 13824 + 2 * 36864 + 18432 + 36864 + 2048 + 128;
    expect(h.macs()).toBe(full);
    h.activate({ width: { 0: 4, 2: 8 } });
    // group 0 (stem, conv2 out; layer1.conv1 in, layer2 conv1/downsample in) 8 → 4, group 2 16 → 8
    const sub = 9 * 3 * 4 * 64 + 9 * 4 * 8 * 64 + 9 * 8 * 4 * 64 + 9 * 4 * 8 * 16 + 9 * 8 * 16 * 16 + 4 * 16 * 16 + 128;
    expect(h.macs()).toBe(sub);
    h.activateMinimum();
    expect(h.activeConfig()).toEqual({ width: { 0: 4, 1: 4, 2: 8, 3: 8 } });
    width.dispose();
    m.engine.dispose();
  });

  it('reorganize_weights: channels by L1 importance summed over the group; width k masks all but the k most important', () => {
    const { m, width } = resnet();
    width.reorganizeWeights();
    // group 0 by hand: L1 of each filter of stem and layer1.0.conv2, summed
    const l1 = (name: string, filters: number) => {
      const w = weight(m, name);
      const per = w.length / filters;
      return Array.from({ length: filters }, (_, f) => w.slice(f * per, (f + 1) * per).reduce((a, v) => a + Math.abs(v), 0));
    };
    const a = l1('stem.weight', 8);
    const b = l1('layer1.0.conv2.weight', 8);
    const sum = a.map((v, i) => v + b[i]);
    const expected = sum.map((_, i) => i).sort((x, y) => sum[y] - sum[x]);
    expect(Array.from(width.channelOrder()[0])).toEqual(expected);
    width.activate({ 0: 4 });
    const keep = Array.from(width.activeKeep()[0]);
    expect(keep.reduce((s, v) => s + v, 0)).toBe(4);
    for (const c of expected.slice(0, 4)) expect(keep[c]).toBe(1);
    // the mask of the stem's weight zeroes the other filters on the engine
    const stem = width.params.find((p) => p.name === 'stem.weight')!;
    expect(Array.from(stem.mask.dataSync())).toEqual(keep);
    // BN running stats of the switched-off channels: bn of stem and of layer1.0.conv2 (group 0)
    expect(width.inactiveRunningStats().map((s) => s.name)).toEqual(['stem.bn.mean', 'stem.bn.var', 'layer1.0.conv2.bn.mean', 'layer1.0.conv2.bn.var']);
    expect(Array.from(width.inactiveRunningStats()[0].keep)).toEqual(keep);
    // a tensor's kept channels: the stem's output and layer1's residual sum are group 0; the input is no group's
    expect(Array.from(width.channelKeep(m.graph.node('stem/Relu')!.outputs[0])!)).toEqual(keep);
    expect(Array.from(width.channelKeep(m.graph.node('layer1.0/Relu')!.outputs[0])!)).toEqual(keep);
    expect(width.channelKeep('input')).toBeUndefined();
    width.setChannelOrder(width.channelOrder().map((o) => Int32Array.from(o).reverse()));
    expect(width.activeKeep()[0][expected[7]]).toBe(1);
    width.dispose();
    m.engine.dispose();
  });

  it('random subnets are seeded; errors name the group and the width', () => {
    const { m, width } = resnet();
    const r1 = new Random(4);
    const r2 = new Random(4);
    const a = Array.from({ length: 5 }, () => width.randomConfig(r1));
    expect(Array.from({ length: 5 }, () => width.randomConfig(r2))).toEqual(a);
    expect(new Set(a.map((c) => JSON.stringify(c))).size).toBeGreaterThan(1);
    expect(() => width.activate({ 2: 10 })).toThrow(/width 10 of group 2 is not one of 16, 12, 8/);
    expect(() => width.activate({ 7: 8 })).toThrow(/no pruning group 7 \(groups 0..3\)/);
    expect(() => width.setChannelOrder([[0, 0, 1, 2, 3, 4, 5, 6]])).toThrow(/4 groups/);
    expect(() => width.setChannelOrder(width.channelOrder().map((o, g) => (g === 1 ? Int32Array.from(o).fill(0) : o)))).toThrow(/channel order of group 1 is not a permutation of 0..7/);
    width.dispose();
    m.engine.dispose();
    const g = resnetStyle({ size: 8, width: 8, batch: 2 }).graph;
    const m2 = new CompressedModel(g, new Engine(g));
    expect(() => new ElasticWidthHandler(m2, { filter_importance: 'external', external_importance_path: 'x.pt' })).toThrow(/filter_importance "external" .* is not supported in nncf-ts/);
    expect(() => new ElasticWidthHandler(m2, { filter_importance: 'L3' })).toThrow(/filter_importance "L3" is not one of L1, L2, geometric_median/);
    expect(() => new ElasticWidthHandler(m2, { external_importance_path: 'x.pt' })).toThrow(/external_importance_path is only read with filter_importance "external"/);
    expect(() => new ElasticWidthHandler(m2, { ignored_scopes: ['nope'] })).toThrow(/nope/);
    m2.engine.dispose();
  });

  it('Mask node form on ONNX Runtime: one compiled graph, subnets switched by fed masks, loss and gradients = the engine (1e-4)', async () => {
    const { m, width } = resnet();
    width.reorganizeWeights();
    const spliced = spliceCompressionNodes(m.graph, m.commands());
    const step = await OrtTrainerStep.create(compileTrainingGraph(spliced.graph, spliced.compileOptions), { threads: 1 });
    const data = seededFloats(2 * 3 * 8 * 8, 21);
    const labels = [1, 3];
    const x = tf.tensor(data, [2, 3, 8, 8]);
    const y = tf.tensor1d(labels, 'int32');
    const before = tf.memory().numTensors;
    const weights = new Map(m.engine.weights().map((w) => [w.variable.name, w]));
    const losses: number[] = [];
    for (const config of [{ 0: 4, 1: 8, 2: 12, 3: 8 }, { 0: 8, 1: 4, 2: 8, 3: 16 }]) {
      width.activate(config);
      const vars = m.trainableVariables();
      const { value, grads } = tf.variableGrads(() => softmaxCrossEntropy(m.run({ input: x }, { training: true }).logits, y), vars);
      refreshNodeInputs(spliced.feeds, step);
      const r = await step.step({ data, shape: [2, 3, 8, 8] }, labels);
      expect(Math.abs(r.loss - value.dataSync()[0]), JSON.stringify(config)).toBeLessThan(1e-5);
      losses.push(r.loss);
      let compared = 0;
      for (const v of vars) {
        const w = weights.get(v.name)!;
        const g = r.gradients.get(w.name);
        if (!g) continue;
        const onnx = w.perm ? tf.transpose(grads[v.name], w.perm.map((_, i) => w.perm!.indexOf(i))) : grads[v.name].clone();
        expect(relativeError(g, onnx.dataSync() as Float32Array), `${w.name} ${JSON.stringify(config)}`).toBeLessThan(1e-4);
        onnx.dispose();
        compared++;
      }
      expect(compared).toBe(vars.length);
      // switched-off stem filters get no gradient
      const stemGrad = r.gradients.get('stem.weight')!;
      const off = Array.from(width.activeKeep()[0]).flatMap((k, c) => (k ? [] : [c]));
      for (const c of off) for (let i = 0; i < 27; i++) expect(stemGrad[c * 27 + i]).toBe(0);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(losses[0]).not.toBeCloseTo(losses[1], 4);
    expect(tf.memory().numTensors).toBe(before);
    await step.release();
    tf.dispose([x, y]);
    width.dispose();
    m.engine.dispose();
  }, 120_000);
});

describe('multi-elasticity state (checkpoints)', () => {
  it('getState → JSON → loadState on a fresh handler: same channel order, subnet, enabled dims and outputs; errors', () => {
    const a = resnet();
    const ha = new MultiElasticityHandler(a.m, { width: a.width });
    a.width.reorganizeWeights();
    a.width.widthIndicator = 2;
    ha.activate({ width: { 0: 4, 1: 8, 2: 12, 3: 8 } });
    const state = JSON.parse(JSON.stringify(ha.getState()));
    expect(state.enabled).toEqual(['width']);
    expect(state.dims.width.width_indicator).toBe(2);
    const b = resnet();
    const hb = new MultiElasticityHandler(b.m, { width: b.width });
    expect(hb.trainableVariables()).toEqual([]);
    hb.loadState(state);
    expect(hb.activeConfig()).toEqual({ width: { 0: 4, 1: 8, 2: 12, 3: 8 } });
    expect(b.width.channelOrder().map((o) => Array.from(o))).toEqual(a.width.channelOrder().map((o) => Array.from(o)));
    expect(b.width.widthIndicator).toBe(2);
    const x = seededFloats(2 * 3 * 8 * 8, 3);
    const out = (m: CompressedModel) => tf.tidy(() => Array.from(m.run({ input: tf.tensor(x, [2, 3, 8, 8]) }).logits.dataSync()));
    expect(out(b.m)).toEqual(out(a.m));
    // a disabled dimension stays disabled (at its maximum)
    ha.enable('width', false);
    hb.loadState(JSON.parse(JSON.stringify(ha.getState())));
    expect(hb.isEnabled('width')).toBe(false);
    expect(b.width.activeConfig()).toEqual({ 0: 8, 1: 8, 2: 16, 3: 16 });
    expect(() => hb.loadState({ enabled: ['depth'], active: {}, dims: {} })).toThrow(/names depth, which is not built for this model/);
    expect(() => hb.loadState({ enabled: ['width'], active: {}, dims: { width: { channel_order: 3 } } })).toThrow(/channel_order must be a list/);
    for (const t of [a, b]) {
      t.width.dispose();
      t.m.engine.dispose();
    }
  });
});
