/**
 * The staged quantization scheduler plugged into the quantization controller (spec/algorithms.md §7):
 * `params` in the section drives the quantizers of a real compressed model.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel, QuantizationController, type CreateResult } from '../../src/api.js';
import { StagedQuantizationScheduler } from '../../src/algorithms/quantization/index.js';
import { BaseScheduler, CompressionStage } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import type { Dataset } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { digits, digitsCnn } from '../training/helpers.js';

const { UNCOMPRESSED: U, PARTIALLY_COMPRESSED: P, FULLY_COMPRESSED: F } = CompressionStage;
let data: Dataset;

beforeAll(async () => {
  await initBackend('wasm');
  data = await digits(96);
});

function config(params?: object, bnSamples = 0): NNCFConfig {
  return NNCFConfig.fromObject({
    input_info: { sample_size: [1, 1, 8, 8] },
    compression: {
      algorithm: 'quantization',
      initializer: { range: { num_init_samples: 64 }, batchnorm_adaptation: { num_bn_adaptation_samples: bnSamples } },
      ...(params ? { params } : {}),
    },
  });
}

async function create(params?: object, opts: { compressionState?: CreateResult extends { getCompressionState(): infer S } ? S : never } = {}) {
  const r = await createCompressedModel(digitsCnn().graph, config(params), { initDataset: data, ...opts });
  return { ...r, ctrl: r.controller as QuantizationController };
}

const groups = (c: QuantizationController) => {
  const on = (kind: 'activation' | 'weight') => c.modules.filter((m) => m.placed.kind === kind).map((m) => m.quantizer.enabled);
  return { act: on('activation'), w: on('weight') };
};
const allOn = (xs: boolean[]) => (xs.every(Boolean) ? true : xs.some(Boolean) ? 'mixed' : false);

function logits(r: { model: CreateResult['model'] }, n = 32): Float32Array {
  const x = tf.tensor(data.x.data.slice(0, n * 64) as Float32Array, [n, 1, 8, 8]);
  const out = r.model.run({ input: x });
  const v = out.logits.dataSync() as Float32Array;
  x.dispose();
  for (const t of Object.values(out)) t.dispose();
  return Float32Array.from(v);
}
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('quantization controller with the staged scheduler', () => {
  it('without params: the scheduler is a no-op and every quantizer is enabled from the start', async () => {
    const r = await create();
    expect(r.ctrl.scheduler).toBeInstanceOf(BaseScheduler);
    expect(r.ctrl.isStaged).toBe(false);
    for (let e = -1; e < 3; e++) {
      if (e >= 0) r.ctrl.scheduler.epochStep();
      expect([allOn(groups(r.ctrl).act), allOn(groups(r.ctrl).w), r.ctrl.compressionStage()]).toEqual([true, true, F]);
    }
    expect(r.ctrl.stagedRangeInits).toEqual([]);
    r.ctrl.dispose();
  });

  it('activations at 2, weights at 1: flags and stage at epochs −1..3, one range re-init per switch, outputs change when a group turns on', async () => {
    const r = await create({ activations_quant_start_epoch: 2, weights_quant_start_epoch: 1 });
    const s = r.ctrl.scheduler as StagedQuantizationScheduler;
    expect(s).toBeInstanceOf(StagedQuantizationScheduler);
    expect(r.ctrl.rangeInit?.initialized).toBe(r.ctrl.modules.length); // build-time init ran with all quantizers on
    const fp = new Engine(digitsCnn().graph);
    const x = tf.tensor(data.x.data.slice(0, 32 * 64) as Float32Array, [32, 1, 8, 8]);
    const fpOut = fp.run({ input: x });
    const fpLogits = Float32Array.from(fpOut.logits.dataSync() as Float32Array);
    tf.dispose([x, ...Object.values(fpOut)]);

    const seen: [number, boolean | string, boolean | string, CompressionStage][] = [];
    const outs: Float32Array[] = [];
    for (let e = -1; e <= 3; e++) {
      if (e >= 0) {
        s.epochStep();
        await s.settled();
      }
      const g = groups(r.ctrl);
      seen.push([s.currentEpoch, allOn(g.act), allOn(g.w), r.ctrl.compressionStage()]);
      outs.push(logits(r));
    }
    expect(seen).toEqual([
      [-1, false, false, U],
      [0, false, false, U],
      [1, false, true, P],
      [2, true, true, F],
      [3, true, true, F],
    ]);
    expect(r.ctrl.stagedRangeInits.map((i) => [i.epoch, i.report?.initialized])).toEqual([
      [1, r.ctrl.modules.length],
      [2, r.ctrl.modules.length],
    ]);
    expect(r.ctrl.stagedRangeInits.map((i) => i.report?.backend)).toEqual(['engine', 'engine']); // current weights
    // disabled (no BN adaptation here): exactly the FP model
    expect(maxDiff(outs[0], fpLogits)).toBeLessThan(1e-5);
    expect(maxDiff(outs[1], fpLogits)).toBeLessThan(1e-5);
    // weights on at epoch 1, activations on at 2: each switch changes the outputs; epoch 3 changes nothing
    expect(maxDiff(outs[2], outs[1])).toBeGreaterThan(1e-3);
    expect(maxDiff(outs[3], outs[2])).toBeGreaterThan(1e-3);
    expect(maxDiff(outs[4], outs[3])).toBe(0);
    r.ctrl.dispose();
  });

  it('range init is re-run when a group turns on: hand-edited ranges are reset to the statistics, once for a shared start epoch', async () => {
    const r = await create({ activations_quant_start_epoch: 1, weights_quant_start_epoch: 1 });
    const s = r.ctrl.scheduler as StagedQuantizationScheduler;
    const state = () => r.ctrl.modules.map((m) => JSON.stringify(m.quantizer.toState().params));
    s.epochStep();
    await s.settled();
    const before = state();
    // scribble over every range: the re-init at epoch 1 must bring back statistics-based ranges
    for (const m of r.ctrl.modules) {
      const n = m.quantizer.scaleShape.reduce((a, b) => a * b, 1);
      m.quantizer.applyMinMaxInit(new Float32Array(n).fill(-100), new Float32Array(n).fill(100), m.placed.id);
    }
    expect(state()).not.toEqual(before);
    s.epochStep();
    await s.settled();
    expect(r.ctrl.stagedRangeInits.map((i) => i.epoch)).toEqual([1]);
    expect(state()).toEqual(before);
    s.epochStep();
    await s.settled();
    expect(r.ctrl.stagedRangeInits.map((i) => i.epoch)).toEqual([1]);
    r.ctrl.dispose();
  });

  it('resume from compression state restores flags, stage, epoch and ranges; NNCF has no build-time range init to re-run then', async () => {
    const params = { activations_quant_start_epoch: 2, weights_quant_start_epoch: 1 };
    const a = await create(params);
    const sa = a.ctrl.scheduler as StagedQuantizationScheduler;
    sa.epochStep();
    sa.epochStep();
    await sa.settled();
    for (let i = 0; i < 5; i++) sa.step();
    const saved = a.getCompressionState();
    expect(saved.ctrl_state.compression_stage).toBe(P);
    const b = await create(params, { compressionState: JSON.parse(JSON.stringify(saved)) });
    const sb = b.ctrl.scheduler as StagedQuantizationScheduler;
    expect([sb.currentEpoch, sb.currentStep]).toEqual([1, 4]);
    expect([allOn(groups(b.ctrl).act), allOn(groups(b.ctrl).w), b.ctrl.compressionStage()]).toEqual([false, true, P]);
    expect(maxDiff(logits(b), logits(a))).toBe(0);
    sb.epochStep();
    await sb.settled();
    expect([allOn(groups(b.ctrl).act), b.ctrl.compressionStage()]).toEqual([true, F]);
    expect(b.ctrl.stagedRangeInits).toEqual([{ epoch: 2, report: null }]);
    // a state saved at epoch 3 re-enables both groups on load
    sb.epochStep();
    const c = await create(params, { compressionState: b.getCompressionState() });
    expect([allOn(groups(c.ctrl).act), allOn(groups(c.ctrl).w), c.ctrl.compressionStage()]).toEqual([true, true, F]);
    for (const r of [a, b, c]) r.ctrl.dispose();
  });

  // NNCF swaps in a StubCompressionScheduler, whose compression_stage() is FULLY_COMPRESSED whatever the groups.
  it('disableScheduler freezes the groups where they are', async () => {
    const r = await create({ activations_quant_start_epoch: 1, weights_quant_start_epoch: 2 });
    r.ctrl.scheduler.epochStep();
    r.ctrl.disableScheduler();
    for (let i = 0; i < 3; i++) r.ctrl.scheduler.epochStep();
    expect([allOn(groups(r.ctrl).act), allOn(groups(r.ctrl).w), r.ctrl.compressionStage(), r.ctrl.stagedRangeInits.length]).toEqual([false, false, F, 0]);
    r.ctrl.dispose();
  });
});
