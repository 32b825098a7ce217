/**
 * adaptive_compression_level against a fake adaptive controller and a scripted validation: the sequence of
 * target rates, step reductions, LR factors, checkpoint loads and the returned state equal a run traced by
 * hand through NNCF's loop (training_loop.py / runner.py, spec §13.2).
 */
import { describe, expect, it } from 'vitest';
import { NNCFConfig } from '../../../src/config/index.js';
import { AccuracyAwareTrainingLoop, createAccuracyAwareTrainingLoop, TrainingConfigError } from '../../../src/training/index.js';
import { CompositeController } from '../../../src/compression/index.js';
import { FakeAdaptiveController, scripted } from './fake-controller.js';

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

describe('adaptive_compression_level: hand-traced run', () => {
  // uncompressed 0.90, absolute drop 0.05 → minimal tolerable 0.85. The model at rate r after k epochs
  // at that rate: 0.965 − 0.4·r + 0.02·min(k, 2). Start rate 0.3, maximal rate 0.9.
  // initial phase (2 epochs, early_exit): init 0.845 (budget −.005), epoch 1 0.865 (fits) → stop, load best (0.3, k 1).
  // reset (lr ×1), validate 0.865 → best budget ≥ 0 → target 0.3+0.2 = 0.5 (forced), load best(0.3), rate 0.5.
  // e2 0.785, e3 0.805: patience 2 reached, budget < 0 → sign flips: step 0.1, lr factor 0.5 → target 0.4.
  // e4 0.825, e5 0.845 → patience → sign −, same as before: target 0.3 (0.4−0.1).
  // e6 0.865 fits → sign + (flip): step 0.05, lr 0.25 → target 0.35.
  // e7 0.845, e8 0.865 fits → sign + (no flip) → target 0.4. e9 0.825, e10 0.845 → patience, sign − (flip):
  // step 0.025, lr 0.125 → target 0.375. e11 0.835; step 0.025 < minimal 0.05 → stop.
  // final: highest rate with budget ≥ 0 in the history = 0.35 (e8) → its best state (k 2) → 0.865.
  const section = {
    mode: 'adaptive_compression_level' as const,
    params: {
      maximal_absolute_accuracy_degradation: 0.05,
      initial_training_phase_epochs: 2,
      patience_epochs: 2,
      initial_compression_rate_step: 0.2,
      compression_rate_step_reduction_factor: 0.5,
      lr_reduction_factor: 0.5,
      minimal_compression_rate_step: 0.05,
      maximal_total_epochs: 14,
    },
  };

  it('targets, steps, LR factors, loads and the returned state', async () => {
    const ctrl = new FakeAdaptiveController(0.3, 0.9);
    const s = scripted(ctrl, (r, k) => 0.965 - 0.4 * r + 0.02 * Math.min(k, 2));
    const lines: string[] = [];
    const loop = new AccuracyAwareTrainingLoop(section, ctrl, 0.9);
    const result = await loop.run({ ...s.fns, log: (l) => lines.push(l) });
    const trail = result.history.map((h) => [h.epoch, h.phase, r6(h.compressionRate), r6(h.accuracy), r6(h.rateStep!), h.lrFactor]);
    expect(trail).toEqual([
      [0, 'init', 0.3, 0.845, 0.2, 1],
      [1, 'train', 0.3, 0.865, 0.2, 1],
      [2, 'search-start', 0.5, 0.785, 0.2, 1],
      [3, 'search', 0.5, 0.805, 0.2, 1],
      [4, 'search', 0.4, 0.825, 0.1, 0.5],
      [5, 'search', 0.4, 0.845, 0.1, 0.5],
      [6, 'search', 0.3, 0.865, 0.1, 0.5],
      [7, 'search', 0.35, 0.845, 0.05, 0.25],
      [8, 'search', 0.35, 0.865, 0.05, 0.25],
      [9, 'search', 0.4, 0.825, 0.05, 0.25],
      [10, 'search', 0.4, 0.845, 0.05, 0.25],
      [11, 'search', 0.375, 0.835, 0.025, 0.125],
      [11, 'final', 0.35, 0.865, 0.025, 0.125],
    ]);
    // configure at start, reset after the initial phase, then one reset per target change
    expect(s.lrFactors).toEqual([1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125]);
    // initial phase's load, one load before each of the 6 targets set, the final load
    expect(s.loads.map(r6)).toEqual([0.3, 0.3, 0.3, 0.3, 0.3, 0.35, 0.35, 0.35]);
    expect(s.calls.length).toBe(11);
    expect(ctrl.disabled).toBe(1);
    expect(r6(result.compressionRate)).toBe(0.35);
    expect(r6(result.accuracy)).toBe(0.865);
    expect(r6(result.budget)).toBe(0.015);
    expect(result.epochs).toBe(11);
    expect(result.reason).toBe('compression rate step below minimal_compression_rate_step');
    expect(r6(ctrl.compressionRate)).toBe(0.35);
    expect(lines.some((l) => l.includes('target compression rate 0.4000 -> 0.3750, step 0.0250, lr factor 0.125'))).toBe(true);
  });

  it('maximal_total_epochs ends the search (same run, 6 epochs): the best rate so far is returned', async () => {
    const ctrl = new FakeAdaptiveController(0.3, 0.9);
    const s = scripted(ctrl, (r, k) => 0.965 - 0.4 * r + 0.02 * Math.min(k, 2));
    const loop = new AccuracyAwareTrainingLoop({ ...section, params: { ...section.params, maximal_total_epochs: 6 } }, ctrl, 0.9);
    const result = await loop.run(s.fns);
    expect(result.history.map((h) => h.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 6]);
    expect(result.reason).toBe('maximal_total_epochs (6) reached');
    // rates fitting: 0.3 (e1) and 0.3000…04 (e6, = 0.4 − 0.1): the higher key wins
    expect(result.compressionRate).toBe(0.4 - 0.1);
    expect(r6(result.accuracy)).toBe(0.865);
  });

  it('always within budget: climbs to min(0.95, maximal rate) and stops there (NNCF: too high target)', async () => {
    const ctrl = new FakeAdaptiveController(0.1, 0.6);
    const s = scripted(ctrl, () => 0.85);
    const loop = new AccuracyAwareTrainingLoop(
      { mode: 'adaptive_compression_level', params: { maximal_relative_accuracy_degradation: 1, initial_training_phase_epochs: 1, patience_epochs: 1, maximal_total_epochs: 10 } },
      ctrl,
      0.85,
    );
    const result = await loop.run(s.fns);
    // criterion met at init: no training in the initial phase, no load; targets 0.2 … 0.6, then 0.7 > 0.6 → clamp, stop
    expect(result.history.map((h) => r6(h.compressionRate))).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6]);
    expect(result.reason).toBe('maximal compression rate reached');
    expect(r6(result.compressionRate)).toBe(0.6);
    expect(result.epochs).toBe(5);
  });

  it('never within budget: the target goes below 0 and the model is left as it is with a warning', async () => {
    const ctrl = new FakeAdaptiveController(0.1, 0.9);
    const s = scripted(ctrl, () => 0.5);
    const lines: string[] = [];
    const loop = new AccuracyAwareTrainingLoop(
      { mode: 'adaptive_compression_level', params: { maximal_absolute_accuracy_degradation: 0.1, initial_training_phase_epochs: 1, patience_epochs: 1, maximal_total_epochs: 10 } },
      ctrl,
      0.85,
    );
    const result = await loop.run({ ...s.fns, log: (l) => lines.push(l) });
    // init 0.5 (no fit), 1 epoch, no fitting rate → warning; reset; target 0.1−0.1 = 0 (forced) → 1 epoch → patience → −0.1 < 0
    expect(result.history.map((h) => [h.epoch, r6(h.compressionRate)])).toEqual([[0, 0.1], [1, 0.1], [2, 0], [2, 0]]);
    expect(result.reason).toBe('target below the minimal compression rate');
    expect(s.loads).toEqual([]);
    expect(lines.filter((l) => l.startsWith('warning: could not produce')).length).toBe(3);
  });

  it('refuses a controller without a settable rate, naming the mode', () => {
    const quant = { name: 'quantization', scheduler: new FakeAdaptiveController(0, 1).scheduler, compressionStage: () => 2, disableScheduler: () => {} };
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 1, 8, 8] },
      compression: [{ algorithm: 'quantization' }, { algorithm: 'magnitude_sparsity' }],
      accuracy_aware_training: section,
    });
    expect(() => createAccuracyAwareTrainingLoop(config, new CompositeController([quant as never]), 0.9)).toThrow(TrainingConfigError);
    expect(() => createAccuracyAwareTrainingLoop(config, quant as never, 0.9)).toThrow(
      'accuracy_aware_training.mode: "adaptive_compression_level" needs an algorithm whose compression rate can be set (magnitude_sparsity, rb_sparsity, filter_pruning); the model has quantization',
    );
  });

  it('finds the adaptive child of a composite controller', () => {
    const fake = new FakeAdaptiveController(0.2, 0.8);
    const loop = new AccuracyAwareTrainingLoop(section, new CompositeController([fake as never]), 0.9);
    expect(loop.adaptiveController).toBe(fake);
    expect(loop.bounds).toEqual({ minimal: 0, maximal: 0.8 });
  });
});
