/**
 * `train` with an `accuracy_aware_training` section: NNCF's early_exit / adaptive_compression_level loop
 * around the CLI trainer, validation top-1 on --val as the metric, one progress line per validation
 * (rate, accuracy, budget) and the history table at the end.
 */
import { renderTable } from '../../compression/index.js';
import { createAccuracyAwareTrainingLoop, minimalTolerableAccuracy, modelStateCheckpoints, type AccuracyAwareRecord, type AccuracyAwareResult } from '../../training/index.js';
import { accuracy, cliTrainer, type TrainLoopOptions } from './train-loop.js';

export function formatRecord(r: AccuracyAwareRecord): string {
  const target = r.rateStep === undefined ? '' : `, rate step ${r.rateStep.toFixed(4)}, lr factor ${r.lrFactor}`;
  return `accuracy-aware ${r.phase} (epoch ${r.epoch}): compression rate ${r.compressionRate.toFixed(4)}, val acc ${r.accuracy.toFixed(4)}, budget ${r.budget >= 0 ? '+' : ''}${r.budget.toFixed(4)}${r.fullyCompressed ? '' : ' (not fully compressed)'}${target}`;
}

export async function runAccuracyAwareTraining(o: TrainLoopOptions & { uncompressedAccuracy: number }): Promise<AccuracyAwareResult> {
  const { created, settings } = o;
  const loop = createAccuracyAwareTrainingLoop(o.config, created.controller, o.uncompressedAccuracy);
  const { trainer, stopBar } = cliTrainer(o, { evaluate: false });
  const output = created.model.graph.outputs[0].name;
  o.log(
    `accuracy-aware training (${loop.settings.mode}): uncompressed val acc ${o.uncompressedAccuracy.toFixed(4)}, ` +
      `minimal tolerable ${minimalTolerableAccuracy(loop.settings, o.uncompressedAccuracy).toFixed(4)}, ` +
      `at most ${loop.settings.maximalTotalEpochs} epochs`,
  );
  try {
    const result = await loop.run({
      ...modelStateCheckpoints(created.model, created.controller),
      trainEpoch: async () => (await trainer.trainEpoch({ stepScheduler: false })).loss,
      validate: () => accuracy(created, o.val, settings.batchSize, trainer.inputName, output),
      configureOptimizers: (lrFactor) => trainer.resetOptimizer(lrFactor),
      updateLearningRate: (_count, _metric, best) => trainer.stepPlateau(best),
      onRecord: (r) => {
        o.log(formatRecord(r));
        if (r.phase !== 'init') o.onEpochEnd?.(r.epoch);
      },
      log: o.log,
    });
    const rows = result.history.map((h) => [h.epoch, h.phase, h.compressionRate, h.accuracy, h.budget, h.fullyCompressed ? 'yes' : 'no']);
    o.log(renderTable({ title: 'Accuracy-aware training', header: ['epoch', 'phase', 'compression rate', 'val acc', 'budget', 'fully compressed'], rows }));
    o.log(`accuracy-aware result: ${result.reason}; compression rate ${result.compressionRate.toFixed(4)}, val acc ${result.accuracy.toFixed(4)} (uncompressed ${result.uncompressedAccuracy.toFixed(4)}, budget ${result.budget.toFixed(4)}) after ${result.epochs} epochs`);
    o.log(created.controller.statistics().toString());
    return result;
  } finally {
    stopBar();
    trainer.dispose();
  }
}
