/**
 * The search runner (run-search.ts, api-nas.ts) on a tiny BN ResNet supernet (width + depth): the
 * front is non-empty and non-dominated, MACs are the handler's count, the run is deterministic with a
 * seed, BN adaptation recomputes the running statistics from the supernet's (hand-computed for the
 * stem), and the chosen subnet follows NNCF's rule (top-1 > ref_acc − acc_delta, lowest MACs first reached).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createProgressiveShrinking, runNasSearch, selectSubnet, type MultiElasticityHandler } from '../../src/algorithms/nas/index.js';
import { searchSubnetsOnData, top1OnEngine } from '../../src/api-nas.js';
import { CompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { tinyBnResnet } from './nas-models.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const BLOCKS = [['r0', 'r1'], ['r1', 'r2'], ['r2', 'r3']];

function supernet(dims: ('width' | 'depth')[] = ['width', 'depth']): { m: CompressedModel; handler: MultiElasticityHandler } {
  const g = tinyBnResnet();
  const m = new CompressedModel(g, new Engine(g));
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [1, 2, 6, 6] },
    bootstrapNAS: {
      training: {
        progressivity_of_elasticity: ['depth', 'width'],
        schedule: { list_stage_descriptions: [{ train_dims: dims, epochs: 1, init_lr: 0.01, depth_indicator: 3, width_indicator: 3 }] },
        elasticity: { available_elasticity_dims: dims, width: { min_width: 4, width_step: 2, max_num_widths: 3 }, depth: { skipped_blocks: BLOCKS } },
      },
    },
  });
  const { handler, controller } = createProgressiveShrinking(m, config, { stepsPerEpoch: 1 });
  // the last stage's dims and indicators, as after training
  void controller.setStage(controller.options.stages[0], false);
  return { m, handler };
}

function data(n: number, seed: number): Dataset {
  const x = Float32Array.from({ length: n * 72 }, (_, i) => Math.sin(i * 0.61 + seed) + 0.3 * Math.cos(i * 1.7 * seed));
  const y = Int32Array.from({ length: n }, (_, i) => (i * 7 + seed) % 3);
  return new Dataset({ dtype: 'float32', shape: [n, 2, 6, 6], data: x }, { dtype: 'int32', shape: [n], data: y });
}

const dominates = (a: number[], b: number[]) => a.every((v, i) => v <= b[i]) && a.some((v, i) => v < b[i]);

describe('NAS search runner', () => {
  it('NSGA-II on a width+depth supernet: non-empty non-dominated front, handler MACs, NNCF choice, deterministic, no tensor leak', async () => {
    const val = data(12, 1);
    const train = data(8, 2);
    const search = { num_evals: 12, population: 4, seed: 3, batchnorm_adaptation: { num_bn_adaptation_samples: 4 }, ref_acc: 30, acc_delta: 5 };
    const runOnce = async () => {
      const { m, handler } = supernet();
      const before = tf.memory().numTensors;
      const seen: number[] = [];
      const r = await searchSubnetsOnData({ handler, search, val, train, batchSize: 4, onEvaluated: (_, k) => seen.push(k) });
      // MACs are the handler's count of the subnet evaluated
      const check = r.evaluated[r.evaluated.length - 1];
      handler.activate(check.config);
      expect(handler.macs()).toBe(check.macs);
      r.evaluator.dispose();
      expect(tf.memory().numTensors).toBe(before);
      handler.dispose();
      m.engine.dispose();
      return { r, seen };
    };
    const { r, seen } = await runOnce();
    expect(r.params).toMatchObject({ algorithm: 'NSGA2', population: 4, generations: 3, numEvals: 12 });
    expect(r.evaluated.length).toBeGreaterThanOrEqual(4);
    expect(r.evaluated.length).toBeLessThanOrEqual(12);
    expect(seen).toEqual(r.evaluated.map((_, i) => i + 1));
    expect(r.front.length).toBeGreaterThan(0);
    const F = (e: { macs: number; top1: number }) => [e.macs, -e.top1];
    for (const a of r.front) for (const b of r.front) expect(dominates(F(a), F(b))).toBe(false);
    for (let i = 1; i < r.front.length; i++) expect(r.front[i].macs).toBeGreaterThanOrEqual(r.front[i - 1].macs);
    // top-1 is a multiple of 100/12 (12 validation samples)
    for (const e of r.evaluated) expect((e.top1 * 12) / 100).toBeCloseTo(Math.round((e.top1 * 12) / 100), 9);
    // the supernet is the maximum: every evaluated subnet has at most its MACs
    for (const e of r.evaluated) expect(e.macs).toBeLessThanOrEqual(r.supernet.macs);
    // NNCF's choice over the evaluation order
    const want = selectSubnet(r.evaluated.map((e) => ({ ...e, efficiency: e.macs / 1e6, accuracy: e.top1 })), 30, 5);
    expect(r.best?.x).toEqual(want?.x);
    expect(r.accuracyLowerBound).toBe(25);
    if (r.best) expect(r.bestConfig).toEqual(r.best.config);
    // the same seed gives the same run
    const again = (await runOnce()).r;
    expect(again.evaluated.map((e) => [e.x, e.macs, e.top1])).toEqual(r.evaluated.map((e) => [e.x, e.macs, e.top1]));
    expect(again.front.map((e) => e.x)).toEqual(r.front.map((e) => e.x));
  }, 120_000);

  it('BN adaptation starts from the supernet statistics: stem mean = 0.9·m0 + 0.1·batch mean, and re-activating a subnet gives the same statistics', async () => {
    const { m, handler } = supernet(['depth']);
    const train = data(4, 5);
    const r = await searchSubnetsOnData({ handler, search: { num_evals: 4, population: 2, seed: 1, batchnorm_adaptation: { num_bn_adaptation_samples: 4 } }, val: data(4, 6), train, batchSize: 4 });
    const g = m.graph;
    const m0 = Float32Array.from(g.initializers.get('stem.m')!.values as Float32Array);
    // hand computation: one batch of 4, the stem conv (no bias) does not depend on the subnet
    const want = tf.tidy(() => {
      const x = tf.transpose(tf.tensor4d(train.x.data as Float32Array, [4, 2, 6, 6]), [0, 2, 3, 1]);
      const w = tf.transpose(tf.tensor4d(g.initializers.get("stem.w")!.values as Float32Array, [8, 2, 3, 3]), [2, 3, 1, 0]);
      const mean = tf.mean(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"), [0, 1, 2]);
      return tf.add(tf.mul(tf.tensor1d(m0), 0.9), tf.mul(mean, 0.1)).dataSync();
    });
    const stem = () => {
      const t = m.engine.getWeight('stem.m');
      const v = Float32Array.from(t.dataSync() as Float32Array);
      t.dispose();
      return v;
    };
    await r.evaluator.activate({ depth: [2] });
    const s1 = stem();
    for (let c = 0; c < 8; c++) expect(s1[c]).toBeCloseTo(want[c], 5);
    const deep = () => {
      const t = m.engine.getWeight('b1b.m');
      const v = Float32Array.from(t.dataSync() as Float32Array);
      t.dispose();
      return v;
    };
    const b1 = deep();
    await r.evaluator.activate({ depth: [] });
    expect(Array.from(s1)).not.toEqual(Array.from(m0)); // adapted, not the supernet's
    await r.evaluator.activate({ depth: [2] });
    expect(Array.from(stem())).toEqual(Array.from(s1));
    expect(Array.from(deep())).toEqual(Array.from(b1));
    // restoring gives the supernet's statistics back
    r.evaluator.restoreBnStats();
    expect(Array.from(stem())).toEqual(Array.from(m0));
    r.evaluator.dispose();
    handler.dispose();
    m.engine.dispose();
  }, 120_000);

  it('R-NSGA-II: aspiration points as NNCF\'s code reads them ([[MMACs, −top-1]]) or as a flat pair give the same run; other forms are refused by name', async () => {
    const val = data(6, 8);
    const runWith = async (aspiration_points: (number | number[])[]) => {
      const { m, handler } = supernet();
      const r = await runNasSearch({ handler, search: { algorithm: 'RNSGA2', num_evals: 12, population: 4, seed: 5, aspiration_points, epsilon: 0.01 }, validate: () => top1OnEngine(m, val, 3) });
      r.evaluator.dispose();
      handler.dispose();
      m.engine.dispose();
      return r;
    };
    const a = await runWith([[0.05, -60]]);
    const b = await runWith([0.05, -60]);
    expect(a.params.reference?.aspirationPoints).toEqual([[0.05, -60]]);
    expect(a.front.length).toBeGreaterThan(0);
    expect(b.evaluated.map((e) => e.x)).toEqual(a.evaluated.map((e) => e.x));
    await expect(runWith([[1, 2], 3])).rejects.toThrow(/bootstrapNAS.search.aspiration_points must be a list of points/);
    await expect(runWith([[1, 2, 3]])).rejects.toThrow(/aspiration_points\[0\] has 3 coordinates/);
  }, 120_000);

  it('no subnet above ref_acc − acc_delta: best is null and the maximal subnet is active; errors name the option', async () => {
    const { m, handler } = supernet(['depth']);
    const val = data(6, 7);
    const r = await runNasSearch({ handler, search: { num_evals: 4, population: 2, ref_acc: 100, acc_delta: 0 }, validate: () => top1OnEngine(m, val, 3) });
    expect(r.best).toBeNull();
    expect(r.bestConfig).toEqual(handler.maximumConfig());
    expect(handler.activeConfig()).toEqual(handler.maximumConfig());
    r.evaluator.dispose();
    await expect(searchSubnetsOnData({ handler, search: { num_evals: 4, population: 2 }, val, batchSize: 3 })).rejects.toThrow(/batchnorm_adaptation.*training data/);
    await expect(runNasSearch({ handler, search: { algorithm: 'GA' }, validate: () => 0 })).rejects.toThrow(/algorithm "GA"/);
    const warnings: string[] = [];
    const w = await runNasSearch({ handler, search: { num_evals: 2, population: 2, acc_delta: 60 }, validate: () => 50, warn: (l) => warnings.push(l) });
    expect(w.params.accDelta).toBe(50);
    expect(warnings.join('\n')).toMatch(/acc_delta 60 is greater than 5 \(capped at 50/);
    w.evaluator.dispose();
    handler.dispose();
    m.engine.dispose();
  }, 120_000);
});
