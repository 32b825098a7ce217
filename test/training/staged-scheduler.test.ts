import { describe, expect, it } from 'vitest';
import { CompressionStage } from '../../src/compression/index.js';
import { StagedQuantizationScheduler } from '../../src/algorithms/quantization/staged-scheduler.js';

function handles() {
  const log: string[] = [];
  const h = {
    act: false,
    w: false,
    inits: [] as number[],
    enableActivations: () => ((h.act = true), log.push('+a')),
    disableActivations: () => ((h.act = false), log.push('-a')),
    enableWeights: () => ((h.w = true), log.push('+w')),
    disableWeights: () => ((h.w = false), log.push('-w')),
    initRange: () => void h.inits.push(sched?.currentEpoch ?? NaN),
  };
  let sched: StagedQuantizationScheduler | undefined;
  return { h, log, bind: (s: StagedQuantizationScheduler) => (sched = s) };
}

describe('staged quantization scheduler (NNCF §7)', () => {
  it('defaults 1/1: both groups disabled at construction and epoch 0, enabled at epoch 1 with one range init', () => {
    const { h, bind } = handles();
    const s = bind(new StagedQuantizationScheduler(h));
    expect([s.currentEpoch, h.act, h.w, s.compressionStage()]).toEqual([-1, false, false, CompressionStage.UNCOMPRESSED]);
    s.epochStep();
    expect([s.currentEpoch, h.act, h.w]).toEqual([0, false, false]);
    s.epochStep();
    expect([s.currentEpoch, h.act, h.w, s.compressionStage()]).toEqual([1, true, true, CompressionStage.FULLY_COMPRESSED]);
    expect(h.inits).toEqual([1]);
    s.epochStep();
    expect(h.inits).toEqual([1]);
  });

  it('activations at 2, weights at 4: stage UNCOMPRESSED → PARTIALLY → FULLY, range init exactly at 2 and 4', () => {
    const { h, bind } = handles();
    const s = bind(new StagedQuantizationScheduler(h, { activations_quant_start_epoch: 2, weights_quant_start_epoch: 4 }));
    const seen: [number, boolean, boolean, CompressionStage][] = [];
    for (let e = 0; e < 6; e++) {
      s.epochStep();
      for (let i = 0; i < 3; i++) s.step();
      seen.push([s.currentEpoch, h.act, h.w, s.compressionStage()]);
    }
    const { UNCOMPRESSED: U, PARTIALLY_COMPRESSED: P, FULLY_COMPRESSED: F } = CompressionStage;
    expect(seen).toEqual([[0, false, false, U], [1, false, false, U], [2, true, false, P], [3, true, false, P], [4, true, true, F], [5, true, true, F]]);
    expect(h.inits).toEqual([2, 4]);
    expect(s.currentStep).toBe(17);
  });

  it('start epoch 0: enabled at construction (max(-1,0) >= 0) and re-initialized on the first epochStep', () => {
    const { h, bind } = handles();
    const s = bind(new StagedQuantizationScheduler(h, { activations_quant_start_epoch: 0, weights_quant_start_epoch: 3 }));
    expect([h.act, h.w]).toEqual([true, false]);
    s.epochStep();
    expect(h.inits).toEqual([0]);
  });

  it('loadState re-applies the status for the saved epoch without range init', () => {
    const { h, log, bind } = handles();
    const s = bind(new StagedQuantizationScheduler(h, { activations_quant_start_epoch: 1, weights_quant_start_epoch: 3 }));
    log.length = 0;
    s.loadState({ current_step: 40, current_epoch: 2 });
    expect([h.act, h.w, s.currentEpoch, s.currentStep]).toEqual([true, false, 2, 40]);
    expect(log).toEqual(['+a', '-w']);
    expect(h.inits).toEqual([]);
    expect(s.getState()).toEqual({ current_step: 40, current_epoch: 2 });
    s.epochStep();
    expect([h.w, h.inits]).toEqual([true, [3]]);
  });

  it('jumping past a start epoch with epochStep(n) does not enable the group (equality only, as NNCF)', () => {
    const { h, bind } = handles();
    const s = bind(new StagedQuantizationScheduler(h, { activations_quant_start_epoch: 1, weights_quant_start_epoch: 1 }));
    s.epochStep(5);
    expect([h.act, h.w, h.inits.length]).toEqual([false, false, 0]);
  });

  it('an async range init is awaited by settled() and its failure surfaces there', async () => {
    let done = false;
    const s = new StagedQuantizationScheduler({
      enableActivations() {}, disableActivations() {}, enableWeights() {}, disableWeights() {},
      initRange: () => new Promise<void>((r) => setTimeout(() => ((done = true), r()), 5)),
    }, { activations_quant_start_epoch: 0, weights_quant_start_epoch: 0 });
    s.epochStep();
    expect(done).toBe(false);
    await s.settled();
    expect(done).toBe(true);
    const bad = new StagedQuantizationScheduler({
      enableActivations() {}, disableActivations() {}, enableWeights() {}, disableWeights() {},
      initRange: () => Promise.reject(new Error('no init data')),
    }, { activations_quant_start_epoch: 0 });
    bad.epochStep();
    await expect(bad.settled()).rejects.toThrow('no init data');
  });

  it('rejects a non-numeric start epoch naming the key', () => {
    const { h } = handles();
    expect(() => new StagedQuantizationScheduler(h, { weights_quant_start_epoch: NaN })).toThrow('quantization.params.weights_quant_start_epoch');
  });
});
