/**
 * NNCF's adaptive_compression_level loop (training_loop.py, AdaptiveCompressionTrainingLoop, uniform
 * decrease stepping): an early_exit phase of `initial_training_phase_epochs`, then a search that moves the
 * target rate up while the best metric of the current rate fits the budget and down when it does not,
 * reducing the step and the LR each time the direction flips, until the step is below
 * `minimal_compression_rate_step` or `maximal_total_epochs` are spent. The model left in place is the
 * best state of the highest rate whose budget was >= 0.
 */
import { runEarlyExitLoop } from './early-exit.js';
import type { AccuracyAwareController, AccuracyAwareRunner } from './runner.js';

export interface AdaptiveBounds {
  minimal: number;
  maximal: number;
}

export async function runAdaptiveLoop(runner: AccuracyAwareRunner<unknown>, adaptive: AccuracyAwareController, bounds: AdaptiveBounds): Promise<{ rate: number; reason: string }> {
  const { settings } = runner;
  const total = runner.maximalTotalEpochs;
  runner.maximalTotalEpochs = settings.initialTrainingPhaseEpochs;
  await runEarlyExitLoop(runner);
  runner.maximalTotalEpochs = total;
  await runner.resetTraining();
  await runner.validate();
  runner.log(`accuracy-aware: search for the compression rate starts at ${runner.targetRate.toFixed(4)} (best budget ${(runner.bestValMetric - runner.minimalTolerableAccuracy).toFixed(4)})`);
  runner.controller.disableScheduler();
  let force = true;
  let reason: string | undefined;
  let phase: 'search-start' | 'search' = 'search-start';
  while (runner.rateStep >= settings.minimalCompressionRateStep && runner.cumulativeEpochCount < total) {
    const before = runner.targetRate;
    if (updateTarget(runner, force)) {
      runner.log(`accuracy-aware: target compression rate ${before.toFixed(4)} -> ${runner.targetRate.toFixed(4)}, step ${runner.rateStep.toFixed(4)}, lr factor ${runner.lrFactor}`);
      if (runner.targetRate < bounds.minimal) {
        runner.log('warning: cannot produce a compressed model with the minimal tolerable accuracy (target below the minimal compression rate)');
        reason = 'target below the minimal compression rate';
        break;
      }
      if (runner.targetRate > bounds.maximal) {
        runner.targetRateOverride = bounds.maximal;
        runner.log(`accuracy-aware: reached the maximal compression rate ${bounds.maximal}`);
        reason = 'maximal compression rate reached';
        break;
      }
      force = false;
      await runner.loadBestCheckpoint();
      adaptive.compressionRate = runner.targetRate;
      await runner.resetTraining();
    }
    await runner.trainEpoch();
    await runner.validate();
    await runner.dumpStatistics(phase);
    phase = 'search';
    if (runner.stopTraining()) force = true;
    runner.updateLearningRate();
  }
  reason ??= runner.rateStep < settings.minimalCompressionRateStep ? 'compression rate step below minimal_compression_rate_step' : `maximal_total_epochs (${total}) reached`;
  const rate = await runner.loadBestCheckpoint();
  runner.targetRateOverride = rate;
  await runner.validate();
  runner.record('final');
  runner.log(`accuracy-aware: ${reason}; final compression rate ${rate.toFixed(4)}, accuracy ${runner.currentValMetric.toFixed(4)} (uncompressed ${runner.uncompressedAccuracy.toFixed(4)})`);
  return { rate, reason };
}

/** NNCF's _update_target_compression_rate with the uniform-decrease step. */
function updateTarget(runner: AccuracyAwareRunner<unknown>, force: boolean): boolean {
  const bestBudget = runner.bestValMetric - runner.minimalTolerableAccuracy;
  if (!(runner.trainingEpochCount >= runner.settings.patienceEpochs || bestBudget >= 0 || force)) return false;
  const sign = bestBudget >= 0 ? 1 : -1;
  if (runner.prevSign !== undefined && runner.prevSign !== sign) {
    runner.rateStep *= runner.settings.compressionRateStepReductionFactor;
    runner.lrFactor *= runner.settings.lrReductionFactor;
  }
  runner.targetRateOverride = runner.targetRate + sign * runner.rateStep;
  runner.prevSign = sign;
  return true;
}
