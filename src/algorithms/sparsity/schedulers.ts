/**
 * NNCF's sparsity schedulers (nncf/common/sparsity/schedulers.py): polynomial, exponential, adaptive,
 * multistep. Each holds the scheduler position (step/epoch from −1) and, on its update, freezes the
 * controller from `sparsity_freeze_epoch` on, then sets the level it computes.
 */
import { BaseScheduler, type SchedulerState } from '../../compression/index.js';
import { CONFIG_DEFAULTS } from '../../config/index.js';
import { exponentialDecay, multiStep, polynomialDecay } from './schedules.js';

/** What a scheduler drives: the controller's level and freezing (and, for adaptive, the RB measurement). */
export interface SparsityLevelTarget {
  freeze(): void;
  setSparsityLevel(level: number): void;
  /** The sparsity the RB loss measured at its last evaluation (adaptive scheduler only). */
  measuredSparsity?(): number;
}

/** The scheduler keys of a sparsity section's params, plus the algorithm's `sparsity_init`. */
export interface SparsitySchedulerParams {
  sparsity_init: number;
  schedule: 'polynomial' | 'exponential' | 'adaptive' | 'multistep';
  sparsity_target: number;
  sparsity_target_epoch: number;
  sparsity_freeze_epoch: number;
  update_per_optimizer_step: boolean;
  steps_per_epoch?: number;
  multistep_steps: readonly number[];
  multistep_sparsity_levels: readonly number[];
  patience: number;
  power: number;
  concave: boolean;
}

export class SparsitySchedulerError extends Error {
  override name = 'SparsitySchedulerError';
}

/** Common part of every sparsity scheduler; `currentSparsityLevel` is the level for the current position. */
export abstract class SparsityScheduler extends BaseScheduler {
  readonly initialLevel: number;
  targetLevel: number;
  readonly targetEpoch: number;
  readonly freezeEpoch: number;

  constructor(
    protected readonly controller: SparsityLevelTarget,
    params: SparsitySchedulerParams,
  ) {
    super();
    this.initialLevel = params.sparsity_init;
    this.targetLevel = params.sparsity_target;
    this.targetEpoch = params.sparsity_target_epoch;
    this.freezeEpoch = params.sparsity_freeze_epoch;
  }

  protected abstract calculateLevel(): number;

  protected updateLevel(): void {
    if (this.currentEpoch >= this.freezeEpoch) this.controller.freeze();
    this.controller.setSparsityLevel(this.calculateLevel());
  }

  get currentSparsityLevel(): number {
    return this.currentEpoch === -1 ? this.initialLevel : this.calculateLevel();
  }
}

/**
 * Polynomial schedule, per epoch or per optimizer step. Per step without `steps_per_epoch`, the first
 * epoch only counts its steps (position stays at −1); a later epoch with another count is an error.
 */
export class PolynomialSparsityScheduler extends SparsityScheduler {
  private readonly schedule: { initial: number; target: number; targetEpoch: number; power: number; concave: boolean };
  private stepsInEpoch = 0;
  private stepsPerEpoch: number | undefined;
  private skip = false;
  readonly perStep: boolean;

  constructor(controller: SparsityLevelTarget, params: SparsitySchedulerParams) {
    super(controller, params);
    this.schedule = { initial: this.initialLevel, target: this.targetLevel, targetEpoch: this.targetEpoch, power: params.power, concave: params.concave };
    this.perStep = params.update_per_optimizer_step;
    this.stepsPerEpoch = params.steps_per_epoch;
  }

  override step(nextStep?: number): void {
    this.stepsInEpoch += 1;
    if (this.skip) return;
    super.step(nextStep);
    if (this.perStep) this.updateLevel();
  }

  override epochStep(nextEpoch?: number): void {
    this.maybeSkip();
    if (this.skip) return;
    this.stepsInEpoch = 0;
    super.epochStep(nextEpoch);
    if (!this.perStep) this.updateLevel();
  }

  protected calculateLevel(): number {
    const localStep = Math.max(this.stepsInEpoch - 1, 0);
    return polynomialDecay(this.schedule, this.currentEpoch, localStep, this.stepsPerEpoch);
  }

  private maybeSkip(): void {
    this.skip = false;
    if (!this.perStep) return;
    if (this.stepsPerEpoch === undefined && this.stepsInEpoch > 0) this.stepsPerEpoch = this.stepsInEpoch;
    if (this.stepsPerEpoch !== undefined && this.stepsInEpoch > 0 && this.stepsPerEpoch !== this.stepsInEpoch)
      throw new SparsitySchedulerError(
        `sparsity scheduler: this epoch had ${this.stepsInEpoch} optimizer steps, but steps_per_epoch is ${this.stepsPerEpoch}; the per-step schedule would be wrong`,
      );
    if (this.stepsPerEpoch === undefined) this.skip = true;
  }

  get measuredStepsPerEpoch(): number | undefined {
    return this.stepsPerEpoch;
  }

  // `steps_in_current_epoch` is an nncf-ts addition: a mid-epoch resume continues the per-step curve.
  protected override extraState(): Record<string, unknown> {
    return this.perStep ? { _steps_per_epoch: this.stepsPerEpoch ?? null, steps_in_current_epoch: this.stepsInEpoch } : {};
  }

  protected override loadExtraState(state: SchedulerState): void {
    if (!this.perStep) return;
    const spe = state._steps_per_epoch;
    this.stepsPerEpoch = typeof spe === 'number' ? spe : undefined;
    if (typeof state.steps_in_current_epoch === 'number') this.stepsInEpoch = state.steps_in_current_epoch;
  }
}

/** Exponential decay of the density 1 − level, capped at the target level; updates per epoch. */
export class ExponentialSparsityScheduler extends SparsityScheduler {
  override epochStep(nextEpoch?: number): void {
    super.epochStep(nextEpoch);
    this.updateLevel();
  }

  protected calculateLevel(): number {
    const density = exponentialDecay(1 - this.initialLevel, 1 - this.targetLevel, this.targetEpoch, this.currentEpoch);
    return Math.min(1 - density, this.targetLevel);
  }
}

/**
 * Adaptive (RB): each epoch step counts a bad epoch when the measured sparsity ≥ level − eps; after
 * `patience` bad epochs the level rises by `step`, capped at the target.
 */
export class AdaptiveSparsityScheduler extends SparsityScheduler {
  readonly decayStep = CONFIG_DEFAULTS.ADAPTIVE_SPARSITY_SCHEDULER_DEFAULTS.step;
  readonly eps = CONFIG_DEFAULTS.ADAPTIVE_SPARSITY_SCHEDULER_DEFAULTS.eps;
  readonly patience: number;
  numBadEpochs = 0;
  private level: number;

  constructor(controller: SparsityLevelTarget, params: SparsitySchedulerParams) {
    super(controller, params);
    if (!controller.measuredSparsity)
      throw new SparsitySchedulerError('the "adaptive" schedule follows the RB loss: it works with rb_sparsity only (params.schedule)');
    this.patience = params.patience;
    this.level = this.initialLevel;
  }

  override get currentSparsityLevel(): number {
    return this.level;
  }

  override epochStep(nextEpoch?: number): void {
    super.epochStep(nextEpoch);
    this.updateLevel();
  }

  protected calculateLevel(): number {
    if (this.controller.measuredSparsity!() >= this.level - this.eps) this.numBadEpochs += 1;
    let level = this.level;
    if (this.numBadEpochs >= this.patience) {
      this.numBadEpochs = 0;
      level += this.decayStep;
    }
    this.level = Math.min(level, this.targetLevel);
    return this.level;
  }

  protected override extraState(): Record<string, unknown> {
    return { num_bad_epochs: this.numBadEpochs, current_sparsity_level: this.level };
  }

  protected override loadExtraState(state: SchedulerState): void {
    this.numBadEpochs = state.num_bad_epochs as number;
    this.level = state.current_sparsity_level as number;
  }
}

/** Piecewise constant levels; the target is the last level, the level before epoch 0 the first. */
export class MultiStepSparsityScheduler extends SparsityScheduler {
  private readonly boundaries: number[];
  private readonly values: readonly number[];

  constructor(controller: SparsityLevelTarget, params: SparsitySchedulerParams) {
    super(controller, params);
    this.boundaries = [...params.multistep_steps].sort((a, b) => a - b);
    this.values = params.multistep_sparsity_levels;
    multiStep(this.boundaries, this.values, 0); // checks the lengths at construction, as NNCF
    this.targetLevel = this.values[this.values.length - 1];
  }

  override get currentSparsityLevel(): number {
    return this.currentEpoch === -1 ? this.values[0] : this.calculateLevel();
  }

  override epochStep(nextEpoch?: number): void {
    super.epochStep(nextEpoch);
    this.updateLevel();
  }

  protected calculateLevel(): number {
    return multiStep(this.boundaries, this.values, this.currentEpoch);
  }
}

/**
 * NNCF's StubCompressionScheduler with the sparsity fields: used in local mode and after
 * `disableScheduler()` (target and current level 0). Steps move the position only.
 */
export class StubSparsityScheduler extends BaseScheduler {
  constructor(
    public targetLevel = 0,
    public currentSparsityLevel = 0,
  ) {
    super();
  }
}

export type AnySparsityScheduler = SparsityScheduler | StubSparsityScheduler;

export function createSparsityScheduler(controller: SparsityLevelTarget, params: SparsitySchedulerParams): SparsityScheduler {
  switch (params.schedule) {
    case 'polynomial':
      return new PolynomialSparsityScheduler(controller, params);
    case 'exponential':
      return new ExponentialSparsityScheduler(controller, params);
    case 'adaptive':
      return new AdaptiveSparsityScheduler(controller, params);
    case 'multistep':
      return new MultiStepSparsityScheduler(controller, params);
    default:
      throw new SparsitySchedulerError(`unknown sparsity schedule ${JSON.stringify(params.schedule)} (params.schedule: polynomial, exponential, adaptive, multistep)`);
  }
}
