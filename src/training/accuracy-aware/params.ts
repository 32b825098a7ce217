/**
 * The `accuracy_aware_training` section as the loops read it, with NNCF's code defaults for the keys
 * the schema requires (runner.py, config/schemata/defaults.py): relative degradation 1.0 % when no
 * degradation key is given, 10000 total epochs, 5 initial-phase epochs, patience 3, step 0.1 …
 */
import type { AccuracyAwareTrainingSection } from '../../config/index.js';
import { TrainingConfigError } from '../errors.js';

export type AccuracyAwareMode = 'early_exit' | 'adaptive_compression_level';

export interface AccuracyAwareSettings {
  mode: AccuracyAwareMode;
  /** Percent of the uncompressed metric; used when no absolute degradation is given. */
  maximalRelativeAccuracyDegradation: number;
  /** Metric units; wins over the relative one when given. */
  maximalAbsoluteAccuracyDegradation?: number;
  maximalTotalEpochs: number;
  initialTrainingPhaseEpochs: number;
  patienceEpochs: number;
  initialCompressionRateStep: number;
  compressionRateStepReductionFactor: number;
  lrReductionFactor: number;
  minimalCompressionRateStep: number;
}

export function accuracyAwareSettings(section: AccuracyAwareTrainingSection): AccuracyAwareSettings {
  const p = section.params ?? {};
  if (section.mode !== 'early_exit' && section.mode !== 'adaptive_compression_level')
    throw new TrainingConfigError('accuracy_aware_training.mode', `must be "early_exit" or "adaptive_compression_level", got ${JSON.stringify(section.mode)}`);
  const s: AccuracyAwareSettings = {
    mode: section.mode,
    maximalRelativeAccuracyDegradation: p.maximal_relative_accuracy_degradation ?? 1.0,
    maximalAbsoluteAccuracyDegradation: p.maximal_absolute_accuracy_degradation,
    maximalTotalEpochs: p.maximal_total_epochs ?? 10000,
    initialTrainingPhaseEpochs: p.initial_training_phase_epochs ?? 5,
    patienceEpochs: p.patience_epochs ?? 3,
    initialCompressionRateStep: p.initial_compression_rate_step ?? 0.1,
    compressionRateStepReductionFactor: p.compression_rate_step_reduction_factor ?? 0.5,
    lrReductionFactor: p.lr_reduction_factor ?? 0.5,
    minimalCompressionRateStep: p.minimal_compression_rate_step ?? 0.025,
  };
  for (const [key, v] of [
    ['maximal_total_epochs', s.maximalTotalEpochs],
    ['initial_training_phase_epochs', s.initialTrainingPhaseEpochs],
    ['patience_epochs', s.patienceEpochs],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new TrainingConfigError(`accuracy_aware_training.params.${key}`, `must be a whole number of epochs >= 0, got ${v}`);
  }
  return s;
}

/** NNCF: uncompressed − absolute drop when given, else uncompressed·(1 − 0.01·relative drop). */
export function minimalTolerableAccuracy(s: AccuracyAwareSettings, uncompressed: number): number {
  return s.maximalAbsoluteAccuracyDegradation !== undefined
    ? uncompressed - s.maximalAbsoluteAccuracyDegradation
    : uncompressed * (1 - 0.01 * s.maximalRelativeAccuracyDegradation);
}
