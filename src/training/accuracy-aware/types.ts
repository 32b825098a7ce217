/** What an accuracy-aware loop takes from its caller (NNCF's train_epoch_fn, validate_fn … callbacks) and what it records. */

/** A model state kept for "best" checkpoints (NNCF's state_dict file); the caller decides what it holds. */
export interface AccuracyAwareCallbacks<S = unknown> {
  /** One epoch of fine-tuning; the loop has called `scheduler.epochStep()` before. May return the epoch's loss. */
  trainEpoch(epoch: number): void | number | Promise<void | number>;
  /** The metric on the validation set, higher is better (e.g. top-1). */
  validate(epoch: number): number | Promise<number>;
  /** New optimizer (and LR schedule), its learning rate multiplied by `lrFactor` (NNCF's reset_training). */
  configureOptimizers?(lrFactor: number): void | Promise<void>;
  /** After each epoch (NNCF's update_learning_rate: the schedule steps with the epoch count of the current rate). */
  updateLearningRate?(trainingEpochCount: number, metric: number, bestMetric: number, loss: number | undefined): void;
  /** Called on fully compressed models after validation; true stops (early_exit) or forces a rate step (adaptive). */
  earlyStopping?(metric: number): boolean;
  /** Snapshot of the model (weights and compression parameters) for a best checkpoint. */
  saveState(): S | Promise<S>;
  loadState(state: S): void | Promise<void>;
  /** A snapshot no longer kept (tensors to dispose). */
  releaseState?(state: S): void;
  /** NNCF's dump_checkpoint_fn: every validated epoch, `best` when it is a new best fully compressed state. */
  dumpCheckpoint?(info: { epoch: number; best: boolean; compressionRate: number }): void | Promise<void>;
  /** One record per validation (progress line, history). */
  onRecord?(record: AccuracyAwareRecord): void;
  log?(line: string): void;
}

export type AccuracyAwarePhase = 'init' | 'train' | 'search-start' | 'search' | 'final';

/** One validation of the loop: the rate the model is at, its metric and the accuracy budget. */
export interface AccuracyAwareRecord {
  /** Cumulative training epochs so far (0 before any training). */
  epoch: number;
  phase: AccuracyAwarePhase;
  compressionRate: number;
  accuracy: number;
  budget: number;
  fullyCompressed: boolean;
  /** adaptive_compression_level: the target rate, the step and the LR factor in force. */
  targetRate?: number;
  rateStep?: number;
  lrFactor?: number;
}

/** What `run` returns: the metric and rate of the model left in place, and the whole history. */
export interface AccuracyAwareResult {
  compressionRate: number;
  accuracy: number;
  uncompressedAccuracy: number;
  minimalTolerableAccuracy: number;
  budget: number;
  /** Total training epochs run. */
  epochs: number;
  history: AccuracyAwareRecord[];
  /** Why the loop ended, in words. */
  reason: string;
}
