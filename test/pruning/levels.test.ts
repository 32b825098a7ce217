/**
 * Filter pruning levels, FLOPs and schedules against NNCF's numbers: catalogue §4 items 2–4 (schedulers),
 * item 6 (group levels on BigPruningTestModel), item 7/9 (FLOPs counts, too-high target, stages).
 */
import { describe, expect, it } from 'vitest';
import '../../src/api.js';
import { FilterPruningController, fitExponentialWithBias, PruningScheduler, roundedPrunedCount } from '../../src/algorithms/pruning/index.js';
import { CompressionStage, createCompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import type { Graph } from '../../src/graph/index.js';
import { bigPruningTestModel, smallFlopsModel } from './pruning-models.js';

const prune = async (graph: Graph, params: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const config = NNCFConfig.fromObject({ input_info: { sample_size: graph.inputs[0].shape as number[] }, compression: { algorithm: 'filter_pruning', ...extra, params } });
  const r = await createCompressedModel(graph, config);
  return r.controller as FilterPruningController;
};

describe('schedulers (catalogue §4 items 2–4)', () => {
  const run = (schedule: 'baseline' | 'exponential' | 'exponential_with_bias', init: number, target: number, warmup: number, steps: number, epochs: number) => {
    const set: number[] = [];
    const frozenAt: number[] = [];
    const s = new PruningScheduler({ setPruningLevel: (l) => set.push(l), freeze: () => frozenAt.push(s.currentEpoch) }, { schedule, initialLevel: init, targetLevel: target, numInitSteps: warmup, pruningSteps: steps });
    for (let e = 0; e < epochs; e++) s.epochStep();
    return { set, frozenAt, s };
  };

  it('exponential_with_bias: init 0.1, target 0.7, warm-up 3, steps 5 gives NNCF\'s levels; frozen from epoch 8', () => {
    const { set, frozenAt } = run('exponential_with_bias', 0.1, 0.7, 3, 5, 10);
    const ref = [0, 0, 0, 0.1, 0.6489741, 0.6956869, 0.6996617, 0.7, 0.7, 0.7];
    set.forEach((l, i) => expect(l).toBeCloseTo(ref[i], 6));
    expect(frozenAt[0]).toBe(8);
  });

  it('exponential_with_bias fit for init 0 / target 0.5 over 20 steps: a ≈ −0.5, b ≈ 0.5, k ≈ 0.5836; not frozen in the first 20 epochs', () => {
    const fit = fitExponentialWithBias(19, 0, 0.5);
    expect(fit.a).toBeCloseTo(-0.5, 4);
    expect(fit.b).toBeCloseTo(0.5, 4);
    expect(Math.abs(fit.k - 0.5836)).toBeLessThan(1e-4);
    const { set, frozenAt } = run('exponential_with_bias', 0, 0.5, 0, 20, 20);
    set.forEach((l, e) => expect(l).toBeCloseTo(Math.min(fit.a * Math.exp(-fit.k * e) + fit.b, 0.5), 12));
    expect(frozenAt).toEqual([]);
  });

  it('baseline: 0 during warm-up, then the target, frozen at once', () => {
    const { set, frozenAt } = run('baseline', 0, 0.5, 1, 100, 3);
    expect(set).toEqual([0, 0.5, 0.5]);
    expect(frozenAt).toEqual([1, 2]);
  });

  it('exponential: density decays from 1 − init to 1 − target over pruning_steps − 1 epochs', () => {
    const { set } = run('exponential', 0, 0.5, 0, 3, 4);
    expect(set.map((l) => +l.toFixed(10))).toEqual([0, +(1 - Math.sqrt(0.5)).toFixed(10), 0.5, 0.5]);
  });
});

describe('levels on NNCF BigPruningTestModel (catalogue §4 item 6)', () => {
  it('finds the three groups of NNCF (conv2, up, linear; conv1 + depthwise is the first conv)', async () => {
    const c = await prune(bigPruningTestModel(), {}, { pruning_init: 0.2 });
    expect(c.groups.map((g) => g.members.map((l) => l.node.name))).toEqual([['conv2'], ['up'], ['linear']]);
    // pruning_init 0.2: 32 filters keep ceil(25.6/8)·8 = 32, 64 keep 56, 128 keep 104
    expect(c.groupLevels()).toEqual([0, 0.125, 0.1875]);
  });

  it('uniform 0.5 → [0.5, 0.5, 0.5], global 0.5', async () => {
    const c = await prune(bigPruningTestModel(), { all_weights: false }, { pruning_init: 0.2 });
    c.setPruningLevel(0.5);
    expect(c.groupLevels()).toEqual([0.5, 0.5, 0.5]);
    expect(c.pruningLevel).toBe(0.5);
  });

  it('all_weights 0.5 → [0.03125, 0.421875, 0.65625], global 0.5', async () => {
    const c = await prune(bigPruningTestModel(), { all_weights: true }, { pruning_init: 0.2 });
    c.setPruningLevel(0.5);
    expect(c.groupLevels()).toEqual([0.03125, 0.421875, 0.65625]);
    expect(c.pruningLevel).toBe(0.5);
  });

  it('group-wise {0: 0.6, 1: 0.8, 2: 0.4} → [0.5, 0.75, 0.375], global 0.3926983648557004 (parameter-weighted)', async () => {
    const c = await prune(bigPruningTestModel(), {}, { pruning_init: 0.2 });
    c.setPruningLevel({ 0: 0.6, 1: 0.8, 2: 0.4 });
    expect(c.groupLevels()).toEqual([0.5, 0.75, 0.375]);
    expect(c.pruningLevel).toBeCloseTo(0.3926983648557004, 12);
    expect(() => c.setPruningLevel({ 0: 0.5 })).toThrow(/must name every group id \(0, 1, 2\)/);
    const g = await prune(bigPruningTestModel(), { all_weights: true });
    expect(() => g.setPruningLevel({ 0: 0.5, 1: 0.5, 2: 0.5 })).toThrow(/all_weights: true/);
  });

  it('compression_rate set to 0.65 reads back 0.65; maximal rate 1', async () => {
    const c = await prune(bigPruningTestModel(), {}, { pruning_init: 0.2 });
    c.compressionRate = 0.65;
    expect(c.compressionRate).toBeCloseTo(0.65, 2);
    expect(c.maximalCompressionRate).toBe(1);
  });
});

describe('FLOPs, parameters and filters as NNCF counts them (catalogue §4 items 7, 9)', () => {
  // a: 2·9·3·16·64 = 55296, b: 2·9·16·16·64 = 294912, c: 2·16·16·64 = 32768, fc: 2·16·10 = 320
  const FULL = { flops: 383296, params: 432 + 2304 + 256 + 160, filters: 16 + 16 + 16 + 10 };
  // level 0.5: b keeps 8 filters, c reads 8 channels and keeps 8, fc reads 8
  const HALF = { flops: 55296 + 147456 + 8192 + 160, params: 432 + 1152 + 64 + 80, filters: 16 + 8 + 8 + 10 };

  it('full and uniformly pruned counts; statistics with NNCF names', async () => {
    const c = await prune(smallFlopsModel().toGraph(), { pruning_target: 0.5, schedule: 'baseline' });
    expect(c.groups.map((g) => g.members.map((l) => l.node.name))).toEqual([['b'], ['c']]);
    expect({ flops: c.full.flops, params: c.full.params, filters: c.full.filters }).toEqual(FULL);
    expect(c.compressionStage()).toBe(CompressionStage.UNCOMPRESSED);
    c.scheduler.epochStep();
    expect({ flops: c.cost.flops, params: c.cost.params, filters: c.cost.filters }).toEqual(HALF);
    expect(c.compressionStage()).toBe(CompressionStage.FULLY_COMPRESSED);
    const v = c.statistics().values;
    expect(v).toMatchObject({ full_flops: FULL.flops, current_flops: HALF.flops, full_params_num: FULL.params, current_params_num: HALF.params, full_filters_num: 58, current_filters_num: 42 });
    expect(v.flops_pruning_level).toBeCloseTo(1 - HALF.flops / FULL.flops, 12);
    expect(v.params_pruning_level).toBeCloseTo(1 - HALF.params / FULL.params, 12);
    expect(c.statistics().toString()).toContain('Statistics by pruned layers');
  });

  it('pruning_flops_target 0.3: the bisection stops at level 0.5 (filters drop in steps of 8); rate = achieved FLOPs reduction', async () => {
    const c = await prune(smallFlopsModel().toGraph(), { pruning_flops_target: 0.3, schedule: 'baseline' });
    c.scheduler.epochStep();
    expect(c.groupLevels()).toEqual([0.5, 0.5]);
    expect(c.compressionRate).toBeCloseTo(1 - HALF.flops / FULL.flops, 12);
    expect(c.compressionStage()).toBe(CompressionStage.FULLY_COMPRESSED);
    expect(c.maximalCompressionRate).toBeCloseTo(1 - (55296 + 0 + 0 + 0) / FULL.flops, 12);
  });

  it('all_weights with a FLOPs target prunes filter by filter until FLOPs are below the target, keeping 10 % of each group', async () => {
    const c = await prune(smallFlopsModel().toGraph(), { pruning_flops_target: 0.3, all_weights: true, schedule: 'baseline' });
    c.scheduler.epochStep();
    expect(c.cost.flops).toBeLessThan(FULL.flops * 0.7);
    const kept = c.keep.map((k) => k.reduce((a, b) => a + b, 0));
    expect(kept.every((k) => k >= 2)).toBe(true); // quota floor(0.9·16) = 14 pruned at most
    // one filter fewer would miss the target: the last pruned filter crossed it
    expect(c.cost.flops).toBeGreaterThan(FULL.flops * 0.7 - 2 * 9 * 16 * 64 - 2 * 16 * 64 - 2 * 16 * 64);
  });

  it('a FLOPs target beyond reach raises, naming the option', async () => {
    await expect(prune(smallFlopsModel().toGraph(), { pruning_flops_target: 0.9, schedule: 'baseline' }).then((c) => c.scheduler.epochStep())).rejects.toThrow(/pruning_flops_target/);
    await expect(prune(smallFlopsModel().toGraph(), { pruning_flops_target: 0.9, all_weights: true, schedule: 'baseline' }).then((c) => c.scheduler.epochStep())).rejects.toThrow(/pruning_flops_target/);
  });

  it('rounding of the remaining filters up to a multiple of 8', () => {
    expect([roundedPrunedCount(32, 0.6), roundedPrunedCount(64, 0.8), roundedPrunedCount(128, 0.4), roundedPrunedCount(16, 0.49), roundedPrunedCount(8, 0.9)]).toEqual([16, 48, 48, 0, 0]);
  });

  it('learned_ranking (LeGR) without its training hooks or a coefficients file is an error naming them (test/pruning/legr.test.ts covers LeGR)', async () => {
    await expect(prune(smallFlopsModel().toGraph(), { interlayer_ranking_type: 'learned_ranking' })).rejects.toThrow(/learned_ranking.*LeGRInitArgs/);
  });
});
