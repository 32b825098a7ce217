import type * as tf from '@tensorflow/tfjs-core';

/** Host copy of one optimizer slot (exact float32 values), keyed by the variable's position. */
export interface SlotState {
  shape: number[];
  data: Float32Array;
}

/** Serializable optimizer state: hyper-parameters plus one slot set per variable index. */
export interface OptimizerState {
  type: 'sgd' | 'adam';
  lr: number;
  weightDecay: number;
  /** Optimizer steps taken (Adam bias correction). */
  steps: number;
  /** slots[name][varIndex] — e.g. "momentum_buffer", "exp_avg", "exp_avg_sq". */
  slots: Record<string, Record<number, SlotState>>;
}

/**
 * An optimizer over a fixed, ordered list of tf.Variables with PyTorch's update rules (the NNCF sample
 * scripts use torch.optim). `lr` and `weightDecay` are plain fields: LR schedules set them between steps.
 * A variable whose gradient is missing (undefined) is skipped, as torch skips `grad is None`.
 */
export interface Optimizer {
  readonly type: 'sgd' | 'adam';
  lr: number;
  weightDecay: number;
  /**
   * Per-variable parameter groups (the sample scripts' `optimizer.parameter_groups`): variable i steps
   * with `lr · groups.lrScale[i]` and weight decay `groups.weightDecay[i]`; absent: one group.
   */
  readonly groups?: ParamGroups;
  readonly variables: readonly tf.Variable[];
  /** One update; `grads[i]` belongs to `variables[i]`. Does not dispose the gradients. */
  apply(grads: readonly (tf.Tensor | undefined)[]): void;
  getState(): OptimizerState;
  loadState(state: OptimizerState): void;
  dispose(): void;
}

/** Per-variable LR scale (group LR / base LR, 0 for a variable in no group) and weight decay. */
export interface ParamGroups {
  readonly lrScale: readonly number[];
  readonly weightDecay: readonly number[];
}
