/**
 * The entry point, as NNCF's create_accuracy_aware_training_loop: the config's `accuracy_aware_training`
 * section + the controller + the uncompressed model's metric give a loop whose `run` takes the caller's
 * train/validate callbacks and returns the compression rate and accuracy of the model it leaves in place.
 */
import type { AccuracyAwareTrainingSection, NNCFConfig } from '../../config/index.js';
import { leafControllers } from '../controllers.js';
import { TrainingConfigError } from '../errors.js';
import { runAdaptiveLoop } from './adaptive.js';
import { runEarlyExitLoop } from './early-exit.js';
import { accuracyAwareSettings, type AccuracyAwareSettings } from './params.js';
import { AccuracyAwareRunner, type AccuracyAwareController } from './runner.js';
import type { AccuracyAwareCallbacks, AccuracyAwareResult } from './types.js';

/** NNCF's default bounds of the searched rate (AdaptiveCompressionTrainingLoop's arguments). */
export const MINIMAL_COMPRESSION_RATE = 0.0;
export const MAXIMAL_COMPRESSION_RATE = 0.95;

export class AccuracyAwareTrainingLoop {
  readonly settings: AccuracyAwareSettings;
  /** adaptive_compression_level: the controller whose rate the search sets. */
  readonly adaptiveController?: AccuracyAwareController;
  private runner?: AccuracyAwareRunner<unknown>;

  constructor(
    section: AccuracyAwareTrainingSection,
    readonly controller: AccuracyAwareController,
    readonly uncompressedAccuracy: number,
  ) {
    this.settings = accuracyAwareSettings(section);
    if (!Number.isFinite(uncompressedAccuracy)) throw new TrainingConfigError('uncompressedAccuracy', `must be a finite number, got ${uncompressedAccuracy}`);
    if (this.settings.mode === 'adaptive_compression_level') this.adaptiveController = findAdaptiveController(controller);
  }

  /** Bounds of the searched rate: [0, min(0.95, the controller's maximal rate)] (NNCF's default maximal rate is 1.0). */
  get bounds(): { minimal: number; maximal: number } {
    const max = this.adaptiveController?.maximalCompressionRate ?? 1.0;
    return { minimal: MINIMAL_COMPRESSION_RATE, maximal: Math.min(MAXIMAL_COMPRESSION_RATE, max) };
  }

  async run<S>(fns: AccuracyAwareCallbacks<S>): Promise<AccuracyAwareResult> {
    const adaptive = this.adaptiveController !== undefined;
    const runner = new AccuracyAwareRunner<S>(this.settings, this.controller, this.uncompressedAccuracy, fns, adaptive);
    runner.adaptiveController = this.adaptiveController;
    this.runner = runner as AccuracyAwareRunner<unknown>;
    try {
      const out = adaptive ? await runAdaptiveLoop(this.runner, this.adaptiveController!, this.bounds) : await runEarlyExitLoop(this.runner);
      const accuracy = adaptive ? runner.currentValMetric : (runner.loadedMetric ?? runner.currentValMetric);
      return {
        compressionRate: out.rate,
        accuracy,
        uncompressedAccuracy: this.uncompressedAccuracy,
        minimalTolerableAccuracy: runner.minimalTolerableAccuracy,
        budget: accuracy - runner.minimalTolerableAccuracy,
        epochs: runner.cumulativeEpochCount,
        history: runner.history,
        reason: out.reason,
      };
    } finally {
      runner.release();
    }
  }
}

/** NNCF's _get_adaptive_compression_ctrl: the (first) algorithm whose compression rate can be set (it exposes `compressionRate`). */
export function findAdaptiveController(controller: AccuracyAwareController): AccuracyAwareController {
  const leaves = leafControllers(controller as Parameters<typeof leafControllers>[0]).map(([c]) => c as AccuracyAwareController);
  const found = leaves.find((c) => typeof c.compressionRate === 'number');
  if (!found)
    throw new TrainingConfigError(
      'accuracy_aware_training.mode',
      `"adaptive_compression_level" needs an algorithm whose compression rate can be set (magnitude_sparsity, rb_sparsity, filter_pruning); the model has ${leaves.map((c) => c.name).join(', ') || 'none'}`,
    );
  return found;
}

/** NNCF's create_accuracy_aware_training_loop(nncf_config, compression_ctrl, uncompressed_model_accuracy). */
export function createAccuracyAwareTrainingLoop(config: NNCFConfig, controller: AccuracyAwareController, uncompressedAccuracy: number): AccuracyAwareTrainingLoop {
  const section = config.accuracyAwareTraining;
  if (!section) throw new TrainingConfigError('accuracy_aware_training', 'the config has no accuracy_aware_training section');
  return new AccuracyAwareTrainingLoop(section, controller, uncompressedAccuracy);
}
