/**
 * early_exit (spec §13.1) with scripted validation: NNCF's mock-validation cases (test_training_loop.py:
 * metric = minimal tolerable · epoch / N exits at epoch N), the immediate return when the budget is met
 * after initialization, no improvement (all epochs, best state returned), early stopping, and the rule
 * that only a FULLY compressed state counts.
 */
import { describe, expect, it } from 'vitest';
import { CompressionStage } from '../../../src/compression/index.js';
import { AccuracyAwareTrainingLoop } from '../../../src/training/index.js';
import { FakeAdaptiveController, scripted } from './fake-controller.js';

const ORIGINAL = 0.85;
const early = (params: Record<string, number>) => ({ mode: 'early_exit' as const, params: { maximal_total_epochs: 100, ...params } });

describe('early_exit', () => {
  it.each([
    [{ maximal_relative_accuracy_degradation: 1.0 }, 6],
    [{ maximal_relative_accuracy_degradation: 30.0 }, 10],
    [{ maximal_absolute_accuracy_degradation: 0.1 }, 3],
  ])('NNCF mock validation %o exits at epoch %i', async (drop, exitEpoch) => {
    const minimal = 'maximal_absolute_accuracy_degradation' in drop ? ORIGINAL - drop.maximal_absolute_accuracy_degradation : ORIGINAL * (1 - 0.01 * drop.maximal_relative_accuracy_degradation!);
    const ctrl = new FakeAdaptiveController(0, 1);
    const s = scripted(ctrl, () => 0);
    let lastEpoch = -1;
    const loop = new AccuracyAwareTrainingLoop(early(drop), ctrl, ORIGINAL);
    const result = await loop.run({
      ...s.fns,
      validate: (epoch) => {
        lastEpoch = epoch;
        return minimal * (epoch / exitEpoch);
      },
    });
    expect(lastEpoch).toBe(exitEpoch);
    expect(s.calls.length).toBe(exitEpoch);
    expect(result.epochs).toBe(exitEpoch);
    expect(result.reason).toBe(`criterion met after epoch ${exitEpoch}`);
    expect(result.budget).toBeGreaterThanOrEqual(0);
    expect(ctrl.scheduler.currentEpoch).toBe(exitEpoch - 1); // one epochStep per trained epoch
  });

  it('returns at once when the budget is met after initialization (no epoch, no load)', async () => {
    const ctrl = new FakeAdaptiveController(0, 1);
    const s = scripted(ctrl, () => 0.845);
    const result = await new AccuracyAwareTrainingLoop(early({ maximal_relative_accuracy_degradation: 1 }), ctrl, ORIGINAL).run(s.fns);
    expect(s.calls).toEqual([]);
    expect(s.loads).toEqual([]);
    expect(result.epochs).toBe(0);
    expect(result.reason).toBe('criterion met after initialization');
    expect(result.history.map((h) => h.phase)).toEqual(['init']);
  });

  it('no improvement (NNCF: 0.85 − 0.11·(epoch+1), 5 epochs): runs every epoch and loads the best state', async () => {
    const ctrl = new FakeAdaptiveController(0, 1);
    const s = scripted(ctrl, () => 0);
    let epochSeen = 0;
    const result = await new AccuracyAwareTrainingLoop(early({ maximal_absolute_accuracy_degradation: 0.1, maximal_total_epochs: 5 }), ctrl, ORIGINAL).run({
      ...s.fns,
      validate: (epoch) => ORIGINAL - 0.11 * ((epochSeen = epoch) + 1),
      saveState: () => ({ rate: epochSeen, k: 0 }),
    });
    expect(s.calls.length).toBe(5);
    expect(result.history.map((h) => +h.accuracy.toFixed(2))).toEqual([0.74, 0.63, 0.52, 0.41, 0.3, 0.19]);
    expect(s.loads).toEqual([0]); // the state saved at initialization (the best metric)
    expect(+result.accuracy.toFixed(2)).toBe(0.74);
    expect(result.reason).toBe('maximal_total_epochs (5) reached');
  });

  it('counts only FULLY compressed states: a staged model meeting the metric early trains on', async () => {
    const ctrl = new FakeAdaptiveController(0, 1);
    ctrl.stage = CompressionStage.PARTIALLY_COMPRESSED;
    const s = scripted(ctrl, () => 0.9);
    const loop = new AccuracyAwareTrainingLoop(early({ maximal_relative_accuracy_degradation: 1 }), ctrl, ORIGINAL);
    const result = await loop.run({
      ...s.fns,
      trainEpoch: () => {
        s.calls.push('train');
        if (s.calls.length === 2) ctrl.stage = CompressionStage.FULLY_COMPRESSED; // e.g. weights_quant_start_epoch 1
      },
    });
    expect(result.epochs).toBe(2);
    expect(result.history.map((h) => h.fullyCompressed)).toEqual([false, false, true]);
    expect(result.reason).toBe('criterion met after epoch 2');
  });

  it('early stopping on a fully compressed model ends the loop; LR updates follow NNCF (not after the last epoch)', async () => {
    const ctrl = new FakeAdaptiveController(0, 1);
    const s = scripted(ctrl, () => 0.5);
    const lr: number[] = [];
    const result = await new AccuracyAwareTrainingLoop(early({ maximal_absolute_accuracy_degradation: 0.1 }), ctrl, ORIGINAL).run({
      ...s.fns,
      earlyStopping: () => s.calls.length >= 3,
      updateLearningRate: (count) => lr.push(count),
    });
    expect(result.epochs).toBe(3);
    expect(result.reason).toBe('early stopping after epoch 3');
    expect(lr).toEqual([1, 2]);
  });

  it('with no fully compressed state ever, warns and leaves the model as it is', async () => {
    const ctrl = new FakeAdaptiveController(0, 1);
    ctrl.stage = CompressionStage.UNCOMPRESSED;
    const s = scripted(ctrl, () => 0.9);
    const lines: string[] = [];
    const result = await new AccuracyAwareTrainingLoop(early({ maximal_total_epochs: 2 }), ctrl, ORIGINAL).run({ ...s.fns, log: (l) => lines.push(l) });
    expect(result.epochs).toBe(2);
    expect(s.loads).toEqual([]);
    expect(lines).toContain('warning: no fully compressed state was validated, so there is no best checkpoint; the model is left as it is');
  });

  it('refuses bad numbers naming the key', () => {
    const ctrl = new FakeAdaptiveController(0, 1);
    expect(() => new AccuracyAwareTrainingLoop(early({ maximal_total_epochs: 2.5 }), ctrl, ORIGINAL)).toThrow('accuracy_aware_training.params.maximal_total_epochs: must be a whole number of epochs >= 0, got 2.5');
    expect(() => new AccuracyAwareTrainingLoop(early({}), ctrl, Number.NaN)).toThrow('uncompressedAccuracy: must be a finite number, got NaN');
  });
});
