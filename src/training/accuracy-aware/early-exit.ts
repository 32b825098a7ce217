/**
 * NNCF's early_exit loop (training_loop.py, BaseEarlyExitCompressionTrainingLoop): compression parameters
 * are never changed by the loop; it stops at the first epoch whose metric is within the budget on a fully
 * compressed model (or at once when the model already is after initialization), then loads the best
 * fully compressed state.
 */
import type { AccuracyAwareRunner } from './runner.js';

export interface EarlyExitOutcome {
  rate: number;
  reason: string;
}

export async function runEarlyExitLoop(runner: AccuracyAwareRunner<unknown>): Promise<EarlyExitOutcome> {
  const satisfied = () => runner.budget() >= 0 && runner.fullyCompressed();
  await runner.configureOptimizers();
  await runner.validate();
  await runner.dumpStatistics('init');
  if (satisfied()) {
    runner.log('accuracy-aware: the accuracy criterion is met after initialization');
    return { rate: runner.targetRate, reason: 'criterion met after initialization' };
  }
  let reason = `maximal_total_epochs (${runner.maximalTotalEpochs}) reached`;
  for (let epoch = 1; epoch <= runner.maximalTotalEpochs; epoch++) {
    await runner.trainEpoch();
    await runner.validate();
    await runner.dumpStatistics('train');
    if (satisfied()) {
      reason = `criterion met after epoch ${epoch}`;
      break;
    }
    if (runner.stopTraining()) {
      reason = `early stopping after epoch ${epoch}`;
      break;
    }
    runner.updateLearningRate();
  }
  runner.log(`accuracy-aware: ${reason}; loading the best fully compressed state`);
  return { rate: await runner.loadBestCheckpoint(), reason };
}
