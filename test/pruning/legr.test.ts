/**
 * LeGR (interlayer_ranking_type "learned_ranking"): NNCF's EvolutionOptimizer steps against values
 * worked out from its formulas on the same seeded stream, the episode loop (prune to max_pruning with
 * the candidate, train, reward −val loss, weights restored), the learned ranking used by the
 * controller, NNCF's coefficients JSON saved and loaded, and the error paths.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { legrInitArgs } from '../../src/api.js';
import { EvolutionOptimizer, FilterPruningController, LEGR_DEFAULT_OPTIMIZER, learnRankingCoeffs, populationStd, rankingCoeffsFromJson } from '../../src/algorithms/pruning/index.js';
import { createCompressedModel, type CompressedModel } from '../../src/compression/index.js';
import { LeGRInitArgs, NNCFConfig } from '../../src/config/index.js';
import { Random } from '../../src/data/random.js';
import type { Graph } from '../../src/graph/index.js';
import { initBackend } from '../../src/engine/index.js';
import { randomDataset } from '../training/ort-helpers.js';
import { smallFlopsModel } from './pruning-models.js';

const TIMEOUT = 120_000;

beforeAll(async () => {
  await initBackend('wasm');
});

describe('EvolutionOptimizer (NNCF evolutionary_optimization.py)', () => {
  const norms = new Map<string, number[]>([
    ['a', [1, 3]], // std 1
    ['b', [2, 2, 2]], // std 0: shifts are always 0
  ]);

  it('population std is numpy np.std (ddof 0)', () => {
    expect(populationStd([1, 3])).toBe(1);
    expect(populationStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(1.25), 15);
    expect(populationStd([])).toBe(0);
  });

  it('random actions, then identity, then mutation of the best sampled member, replacing the oldest', () => {
    const opt = new EvolutionOptimizer(norms, { generations: 4, populationSize: 3, numSamples: 3, mutatePercent: 1, scaleSigma: 0.5, seed: 7 });
    const r = new Random(7); // the same stream, drawn in NNCF's order
    // episode 0: per layer a = exp(N(0, 0.5)), b = N(0, std)
    const e0 = opt.ask(0);
    const z = [r.normal(), r.normal(), r.normal(), r.normal()];
    expect(e0.get('a')).toEqual([Math.exp(0.5 * z[0]), 1 * z[1]]);
    expect(e0.get('b')).toEqual([Math.exp(0.5 * z[2]), 0 * z[3]]);
    opt.tell(-2);
    const e1 = opt.ask(1);
    const z1 = [r.normal(), r.normal(), r.normal(), r.normal()];
    expect(e1.get('a')).toEqual([Math.exp(0.5 * z1[0]), z1[1]]);
    opt.tell(-1); // the best so far
    // episode population_size − 1: identity
    const e2 = opt.ask(2);
    expect([...e2]).toEqual([
      ['a', [1, 0]],
      ['b', [1, 0]],
    ]);
    opt.tell(-3);
    expect(Array.from(opt.populationRewards)).toEqual([-2, -1, -3]);
    // episode 3: 3 samples with replacement, best of them mutated in int(1 · 2) = 2 drawn layers
    const e3 = opt.ask(3);
    const sampled = [r.int(3), r.int(3), r.int(3)];
    const rewards = [-2, -1, -3];
    const parentIdx = sampled.reduce((best, i) => (rewards[i] > rewards[best] ? i : best), sampled[0]);
    const parent = [e0, e1, e2][parentIdx];
    const mutated = new Set([r.int(2), r.int(2)].map((i) => ['a', 'b'][i]));
    const step = 1 - 3 / (4 * 1.25);
    for (const key of ['a', 'b']) {
      let [scale, shift] = [1, 0];
      if (mutated.has(key)) {
        scale = Math.exp(r.normal() * 0.5 * step);
        shift = r.normal() * (key === 'a' ? 1 : 0);
      }
      const [pa, pb] = parent.get(key)!;
      expect(e3.get(key)![0]).toBeCloseTo(scale * pa, 14);
      expect(e3.get(key)![1]).toBeCloseTo(shift + pb, 14);
    }
    // the new action replaces the oldest member (slot 0)
    opt.tell(-0.5);
    expect(Array.from(opt.populationRewards)).toEqual([-0.5, -1, -3]);
    expect(opt.bestAction).toBe(e3);
    expect(opt.bestReward).toBe(-0.5);
  });

  it('the best action is the first with the highest reward; mutate_percent 0.1 of 2 layers mutates none (int(0.2) = 0)', () => {
    const opt = new EvolutionOptimizer(norms, { generations: 5, populationSize: 2, numSamples: 16, mutatePercent: 0.1, scaleSigma: 1, seed: 1 });
    const e0 = opt.ask(0);
    opt.tell(-1);
    opt.ask(1);
    opt.tell(-1); // ties never replace the best
    expect(opt.bestAction).toBe(e0);
    const e2 = opt.ask(2);
    opt.tell(-5);
    // 16 samples of 2 members: both drawn (probability 1 − 2^-15); the copy of the best is returned unmutated
    expect([...e2]).toEqual([...e0]);
    // slots replaced oldest first: slot 0 now holds −5, so the next parent is the identity of slot 1
    const e3 = opt.ask(3);
    expect([...e3]).toEqual([
      ['a', [1, 0]],
      ['b', [1, 0]],
    ]);
    opt.tell(0);
    expect(Array.from(opt.populationRewards)).toEqual([-5, 0]);
  });

  it('asks out of order and tell before ask are errors', () => {
    const opt = new EvolutionOptimizer(norms, { generations: 2, populationSize: 2, numSamples: 1, mutatePercent: 0, scaleSigma: 1, seed: 0 });
    expect(() => opt.tell(1)).toThrow(/tell\(\) before ask\(\)/);
    expect(() => opt.ask(1)).toThrow(/episode 1 asked after episode -1/);
  });
});

const sampleShape = (g: Graph) => [1, ...(g.inputs[0].shape as number[]).slice(1)];

function legrConfig(graph: Graph, params: Record<string, unknown> = {}, legr: Record<string, unknown> = {}) {
  return NNCFConfig.fromObject({
    input_info: { sample_size: sampleShape(graph) },
    compression: {
      algorithm: 'filter_pruning',
      params: { schedule: 'baseline', pruning_flops_target: 0.4, interlayer_ranking_type: 'learned_ranking', legr_params: { generations: 3, train_steps: 2, population_size: 2, num_samples: 4, mutate_percent: 1, ...legr }, ...params },
    },
  });
}

/** Fake episode functions: a loss that depends on the kept filters (through the model output) and counts calls. */
function fakeArgs(calls: { train: number[]; val: number }) {
  const x = tf.tensor4d(Array.from({ length: 2 * 3 * 8 * 8 }, (_, i) => Math.sin(i)), [2, 3, 8, 8]);
  return new LeGRInitArgs(
    'train-loader',
    (_loader, model, optimizer, _ctrl, steps) => {
      expect(optimizer).toBe(LEGR_DEFAULT_OPTIMIZER);
      calls.train.push(steps);
      // "training" changes a weight; LeGR must restore it before the next episode
      const m = model as CompressedModel;
      const w = m.engine.getWeight('fc.bias');
      m.engine.setWeight('fc.bias', tf.add(w, 1));
      w.dispose();
    },
    'val-loader',
    (model) => {
      calls.val++;
      const out = (model as CompressedModel).run({ x });
      const loss = tf.tidy(() => tf.sum(tf.abs(out.logits)).dataSync()[0]);
      tf.dispose(Object.values(out));
      return [0.5, loss] as const;
    },
  );
}

const biasValues = (m: CompressedModel) => {
  const t = m.engine.getWeight('fc.bias');
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
};

describe('LeGR in filter_pruning', () => {
  it(
    'runs `generations` episodes, restores the weights, is reproducible per seed, and the controller ranks with the best coefficients',
    async () => {
      const graph = smallFlopsModel(3, 'N').toGraph();
      const run = async (seed: number) => {
        const calls = { train: [] as number[], val: 0 };
        const config = legrConfig(graph, {}, { random_seed: seed }).registerExtraStructs([fakeArgs(calls)]);
        const r = await createCompressedModel(graph, config);
        return { r, calls, c: r.controller as FilterPruningController };
      };
      const before = tf.memory().numTensors;
      const a = await run(5);
      expect(a.calls.train).toEqual([2, 2, 2]);
      expect(a.calls.val).toBe(3);
      expect(biasValues(a.r.model)).toEqual(Array.from(graph.initializers.get('fc.bias')!.values as Float32Array));
      expect(a.c.prunedLayers().length).toBeGreaterThan(1);
      const coeffsA = [...a.c.rankingCoeffs];
      const b = await run(5);
      expect([...b.c.rankingCoeffs]).toEqual(coeffsA);
      const other = await run(6);
      expect([...other.c.rankingCoeffs]).not.toEqual(coeffsA);
      // pruning_init 0: nothing pruned until the scheduler sets the level; then a's ranking is used
      expect(a.c.groupLevels().every((l) => l === 0)).toBe(true);
      a.c.scheduler.epochStep();
      expect(a.c.compressionRate).toBeGreaterThanOrEqual(0.4);
      for (const x of [a, b, other]) x.c.dispose();
      // the episodes' weight copies are released (the models' own weights and masks stay)
      expect(tf.memory().numTensors - before).toBeLessThan(200);
    },
    TIMEOUT,
  );

  it(
    'the learned coefficients rank filters as a·‖w‖₂ + b on raw weights: a layer with b = 1000 keeps all its filters',
    async () => {
      const graph = smallFlopsModel(3, 'N').toGraph();
      const dir = mkdtempSync(join(tmpdir(), 'legr-'));
      const path = join(dir, 'coeffs.json');
      const probe = (await createCompressedModel(graph, legrConfig(graph, { load_ranking_coeffs_path: writeCoeffs(path, { a: [1, 0], b: [1, 0], c: [1, 0] }) }))).controller as FilterPruningController;
      const layers = probe.prunedLayers();
      expect(layers).toEqual(['a', 'b', 'c']);
      // b protected: every pruned filter comes from a and c
      const protectB = (await createCompressedModel(graph, legrConfig(graph, { load_ranking_coeffs_path: writeCoeffs(path, { a: [1, 0], b: [1, 1000], c: [1, 0] }) }))).controller as FilterPruningController;
      protectB.scheduler.epochStep();
      const levelOf = (c: FilterPruningController, layer: string) => c.groupLevels()[c.groups.findIndex((g) => g.members.some((l) => l.node.name === layer))];
      expect(levelOf(protectB, 'b')).toBe(0);
      expect(levelOf(protectB, 'a') + levelOf(protectB, 'c')).toBeGreaterThan(0);
      // with pruning_target (filter share) the coefficients rank too (NNCF uses them only for FLOPs targets)
      const share = (await createCompressedModel(graph, legrConfig(graph, { pruning_flops_target: undefined, pruning_target: 0.3, load_ranking_coeffs_path: writeCoeffs(path, { a: [1, 0], b: [1, 1000], c: [1, 0] }) }))).controller as FilterPruningController;
      share.scheduler.epochStep();
      expect(levelOf(share, 'b')).toBe(0);
      // 30 % of the 48 filters: int(0.3 · 48) = 14 lowest, all in a and c
      expect(share.groupLevels().reduce((s, l, i) => s + l * share.groups[i].channels, 0)).toBeCloseTo(14, 9);
      share.dispose();
      // identity coefficients: the order is the raw L2 norms, checked by hand for the first pruned filter
      probe.scheduler.epochStep();
      const rawNorms = probe.layerNorms();
      const all = [...rawNorms].flatMap(([layer, n]) => Array.from(n, (v, f) => ({ layer, f, v }))).sort((x, y) => x.v - y.v);
      const g = probe.groups.findIndex((gr) => gr.members.some((l) => l.node.name === all[0].layer));
      expect(probe.keep[g][all[0].f]).toBe(0);
      // norms are of the raw weights, not L2-normalised per layer
      const w = graph.initializers.get(`${all[0].layer}.weight`)!;
      const per = w.values!.length / w.dims[0];
      let ss = 0;
      for (let i = 0; i < per; i++) ss += (w.values as Float32Array)[all[0].f * per + i] ** 2;
      expect(all[0].v).toBeCloseTo(Math.sqrt(ss), 5);
      for (const c of [probe, protectB]) c.dispose();
    },
    TIMEOUT,
  );

  it(
    'save_ranking_coeffs_path writes NNCF\'s JSON ({"layer": [a, b]}), and load_ranking_coeffs_path reads it back without training',
    async () => {
      const graph = smallFlopsModel(3, 'N').toGraph();
      const dir = mkdtempSync(join(tmpdir(), 'legr-'));
      const path = join(dir, 'saved.json');
      const calls = { train: [] as number[], val: 0 };
      const learned = (await createCompressedModel(graph, legrConfig(graph, { save_ranking_coeffs_path: path }).registerExtraStructs([fakeArgs(calls)]))).controller as FilterPruningController;
      const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, [number, number]>;
      expect(Object.keys(saved)).toEqual(['a', 'b', 'c']);
      expect(Object.entries(saved)).toEqual([...learned.rankingCoeffs].map(([k, v]) => [k, [...v]]));
      // a resumed run takes the coefficients from the compression state instead of searching again
      const resumeCalls = { train: [] as number[], val: 0 };
      const first = await createCompressedModel(graph, legrConfig(graph).registerExtraStructs([fakeArgs(calls)]));
      const state = first.getCompressionState();
      expect(Object.keys((state.builder_state.filter_pruning as { ranking_coeffs: object }).ranking_coeffs)).toEqual(['a', 'b', 'c']);
      const resumed = await createCompressedModel(graph, legrConfig(graph).registerExtraStructs([fakeArgs(resumeCalls)]), { compressionState: state });
      expect(resumeCalls.train).toEqual([]);
      expect([...(resumed.controller as FilterPruningController).rankingCoeffs]).toEqual([...(first.controller as FilterPruningController).rankingCoeffs]);
      for (const x of [first, resumed]) (x.controller as FilterPruningController).dispose();
      const loadCalls = { train: [] as number[], val: 0 };
      const loaded = (await createCompressedModel(graph, legrConfig(graph, { load_ranking_coeffs_path: path }).registerExtraStructs([fakeArgs(loadCalls)]))).controller as FilterPruningController;
      expect(loadCalls.train).toEqual([]);
      expect([...loaded.rankingCoeffs]).toEqual([...learned.rankingCoeffs]);
      learned.scheduler.epochStep();
      loaded.scheduler.epochStep();
      expect(loaded.keep).toEqual(learned.keep);
      // unweighted ranking saves the identity, as NNCF does
      const idPath = join(dir, 'identity.json');
      const unweighted = NNCFConfig.fromObject({ input_info: { sample_size: sampleShape(graph) }, compression: { algorithm: 'filter_pruning', params: { save_ranking_coeffs_path: idPath } } });
      await createCompressedModel(graph, unweighted);
      expect(JSON.parse(readFileSync(idPath, 'utf8'))).toEqual({ b: [1, 0], c: [1, 0] });
      for (const c of [learned, loaded]) c.dispose();
    },
    TIMEOUT,
  );

  it(
    'trains on ORT with legrInitArgs (the trainer for train_steps batches, [top-1, CE] on val): weights change in an episode and are restored',
    async () => {
      const graph = smallFlopsModel(3, 'N').toGraph();
      const train = randomDataset(graph, 16, 10, 1);
      const val = randomDataset(graph, 8, 10, 2);
      const args = legrInitArgs(train, val, { batchSize: 4, seed: 3, engine: 'ort', threads: 1 });
      let changed = false;
      const wrapped = new LeGRInitArgs(
        args.trainLoader,
        async (l, m, o, c, s) => {
          const before = biasValues(m as CompressedModel);
          await args.trainFn(l, m, o, c, s);
          changed ||= biasValues(m as CompressedModel).some((v, i) => v !== before[i]);
        },
        args.valLoader,
        args.valFn,
      );
      const config = legrConfig(graph, {}, { generations: 2, train_steps: 2 }).registerExtraStructs([wrapped]);
      const r = await createCompressedModel(graph, config);
      expect(changed).toBe(true);
      expect(biasValues(r.model)).toEqual(Array.from(graph.initializers.get('fc.bias')!.values as Float32Array));
      const [acc, loss] = await args.valFn(r.model, val);
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThanOrEqual(1);
      expect(loss).toBeGreaterThan(0);
      (r.controller as FilterPruningController).dispose();
    },
    TIMEOUT,
  );

  it('learnRankingCoeffs: a valFn not returning [accuracy, loss] is an error; an all-diverged search is an error; tensors released', async () => {
    const graph = smallFlopsModel(3, 'N').toGraph();
    const base = (await createCompressedModel(graph, legrConfig(graph, { load_ranking_coeffs_path: writeCoeffs(join(mkdtempSync(join(tmpdir(), 'legr-')), 'c.json'), { a: [1, 0], b: [1, 0], c: [1, 0] }) }))).controller as FilterPruningController;
    const params = { generations: 2, trainSteps: 1, maxPruning: 0.4, populationSize: 2, numSamples: 2, mutatePercent: 1, scaleSigma: 1, seed: 0 };
    const train = async () => {};
    await expect(learnRankingCoeffs(base.model, base, { train, validate: async () => 0.3 as unknown as [number, number] }, params)).rejects.toThrow(/valFn must return \[accuracy, loss\]/);
    await expect(learnRankingCoeffs(base.model, base, { train, validate: async () => [0.1, NaN] }, params)).rejects.toThrow(/every episode diverged/);
    await expect(learnRankingCoeffs(base.model, base, { train, validate: async () => [0.1, 1] }, { ...params, generations: 0 })).rejects.toThrow(/legr_params\.generations must be a positive integer/);
    await expect(learnRankingCoeffs(base.model, base, { train, validate: async () => [0.1, 1] }, { ...params, maxPruning: 1 })).rejects.toThrow(/legr_params\.max_pruning must be in \(0, 1\)/);
    await expect(learnRankingCoeffs(base.model, base, { train, validate: async () => [0.1, 1] }, { ...params, mutatePercent: 2 })).rejects.toThrow(/legr_params\.mutate_percent/);
    // masks are back to full after a failed search
    expect(base.keep.every((k) => k.every((v) => v === 1))).toBe(true);
    // a search releases every weight copy it made
    const before = tf.memory().numTensors;
    const ok = await learnRankingCoeffs(base.model, base, { train, validate: async () => [0.1, 1] }, params);
    expect(ok.episodes).toEqual([
      { reward: -1, accuracy: 0.1 },
      { reward: -1, accuracy: 0.1 },
    ]);
    expect(tf.memory().numTensors).toBe(before);
    base.dispose();
  });
});

function writeCoeffs(path: string, coeffs: Record<string, [number, number]>): string {
  writeFileSync(path, JSON.stringify(coeffs));
  return path;
}

describe('LeGR error paths', () => {
  const graph = smallFlopsModel(3, 'N').toGraph();
  const build = (params: Record<string, unknown>, legr?: Record<string, unknown>) => createCompressedModel(graph, legrConfig(graph, params, legr));

  it('learned_ranking without LeGRInitArgs or a coefficients file names both ways', async () => {
    await expect(build({})).rejects.toThrow(/register LeGRInitArgs.*nncf-ts train.*load_ranking_coeffs_path/);
  });

  it('bad coefficient files: invalid JSON, not an object, a missing layer, an unknown layer, a non-numeric pair, an unreadable path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legr-'));
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    await expect(build({ load_ranking_coeffs_path: file('bad.json', '{"a": [1, 0],') })).rejects.toThrow(/load_ranking_coeffs_path: .*bad\.json is not valid JSON/);
    await expect(build({ load_ranking_coeffs_path: file('arr.json', '[[1, 0]]') })).rejects.toThrow(/must hold an object/);
    await expect(build({ load_ranking_coeffs_path: file('missing.json', '{"a": [1, 0], "b": [1, 0]}') })).rejects.toThrow(/no coefficients for the pruned layer\(s\) c/);
    await expect(build({ load_ranking_coeffs_path: file('extra.json', '{"a": [1, 0], "b": [1, 0], "c": [1, 0], "fc": [1, 0]}') })).rejects.toThrow(/"fc", which is not a pruned layer/);
    await expect(build({ load_ranking_coeffs_path: file('nan.json', '{"a": [1, "x"], "b": [1, 0], "c": [1, 0]}') })).rejects.toThrow(/"a" must be a pair of finite numbers/);
    await expect(build({ load_ranking_coeffs_path: join(dir, 'nope.json') })).rejects.toThrow(/cannot read .*nope\.json \(ENOENT\)/);
    expect(() => rankingCoeffsFromJson('{"a": [1, 0, 2]}', ['a'], 'x.json')).toThrow(/pair of finite numbers/);
  });

  it('a resumed compression state whose ranking_coeffs miss a layer is an error naming the state', async () => {
    const state = { builder_state: { filter_pruning: { groups: [], ranking_coeffs: { a: [1, 0] } } }, ctrl_state: {} };
    await expect(createCompressedModel(graph, legrConfig(graph), { compressionState: state })).rejects.toThrow(/resumed compression state .*no coefficients for the pruned layer\(s\) b, c/);
  });

  it('an unwritable save path names save_ranking_coeffs_path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'legr-'));
    const load = writeCoeffs(join(dir, 'c.json'), { a: [1, 0], b: [1, 0], c: [1, 0] });
    await expect(build({ load_ranking_coeffs_path: load, save_ranking_coeffs_path: join(dir, 'no-such-dir', 'out.json') })).rejects.toThrow(/save_ranking_coeffs_path: cannot write/);
  });

  it('legr_params or load_ranking_coeffs_path with unweighted ranking are refused by name', async () => {
    const cfg = (params: Record<string, unknown>) => NNCFConfig.fromObject({ input_info: { sample_size: sampleShape(graph) }, compression: { algorithm: 'filter_pruning', params } });
    await expect(createCompressedModel(graph, cfg({ legr_params: { generations: 2 } }))).rejects.toThrow(/params\.legr_params is only used by interlayer_ranking_type "learned_ranking"/);
    await expect(createCompressedModel(graph, cfg({ load_ranking_coeffs_path: 'x.json' }))).rejects.toThrow(/params\.load_ranking_coeffs_path is only used by/);
  });

  it('a trainOptimizer legrInitArgs cannot run is an error naming it', async () => {
    const train = randomDataset(graph, 4, 10, 1);
    const args = legrInitArgs(train, train, { batchSize: 2 });
    const config = legrConfig(graph).registerExtraStructs([new LeGRInitArgs(args.trainLoader, args.trainFn, args.valLoader, args.valFn, { type: 'adam', lr: 1 })]);
    await expect(createCompressedModel(graph, config)).rejects.toThrow(/LeGRInitArgs\.trainOptimizer/);
  });
});
