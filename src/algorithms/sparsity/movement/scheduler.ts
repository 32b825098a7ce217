/**
 * NNCF's MovementPolynomialThresholdScheduler: per optimizer step, threshold and regularization factor λ
 * follow the stage — PRE warm-up (step < start·spe): threshold −∞, λ 0; IN warm-up: a concave
 * polynomial (power `power`, over end − start epochs, fractional by step) takes the threshold from
 * init to final and λ from 0 to the factor; POST: the final values, and on the first POST step the
 * structured masks are resolved (if enabled) and the controller frozen. Without `steps_per_epoch` the
 * first epoch only counts its steps. The init threshold, when not given, is computed on the first
 * warm-up step.
 */
import { BaseScheduler, type SchedulerState } from '../../../compression/index.js';
import { polynomialDecay } from '../schedules.js';
import type { MovementSchedulerParams } from './params.js';

export enum MovementSchedulerStage {
  PRE_WARMUP = 0,
  IN_WARMUP = 1,
  POST_WARMUP = 2,
}

/** What the scheduler drives (the controller). */
export interface MovementScheduleTarget {
  setImportanceThresholdAndFactor(threshold: number, factor: number): void;
  /** NNCF's _calc_init_threshold_from_controller(0.001). */
  calcInitThreshold(): number;
  /** reset_independent_structured_mask + resolve_structured_mask + populate_structured_mask. */
  resolveStructuredMasks(): void;
  freeze(): void;
  warn?(line: string): void;
}

export class MovementSchedulerError extends Error {
  override name = 'MovementSchedulerError';
}

export class MovementPolynomialThresholdScheduler extends BaseScheduler {
  private stepsPerEpoch: number | undefined;
  private initImportanceThreshold: number | undefined;
  private cached: [number, number] | undefined;
  private controllerFrozen = false;
  private stepsInCurrentEpoch = 0;
  private shouldSkip = false;

  constructor(
    private readonly controller: MovementScheduleTarget,
    readonly params: MovementSchedulerParams,
  ) {
    super();
    this.stepsPerEpoch = params.stepsPerEpoch;
    this.initImportanceThreshold = params.initImportanceThreshold;
  }

  get currentStage(): MovementSchedulerStage {
    return this.stageAt(this.currentStep);
  }

  private stageAt(step: number): MovementSchedulerStage {
    const spe = this.stepsPerEpoch;
    if (spe === undefined || step < Math.trunc(this.params.warmupStartEpoch * spe)) return MovementSchedulerStage.PRE_WARMUP;
    if (step < Math.trunc(this.params.warmupEndEpoch * spe)) return MovementSchedulerStage.IN_WARMUP;
    return MovementSchedulerStage.POST_WARMUP;
  }

  /**
   * The next step() reads the importance scores: it computes the init threshold (first warm-up step
   * without a given one) or resolves the structured masks and freezes (first POST step).
   */
  nextStepTouchesScores(): boolean {
    if (this.shouldSkip) return false;
    const stage = this.stageAt(this.currentStep + 1);
    if (stage === MovementSchedulerStage.IN_WARMUP) return this.initImportanceThreshold === undefined;
    return stage === MovementSchedulerStage.POST_WARMUP && !this.controllerFrozen;
  }

  get currentImportanceRegularizationFactor(): number {
    const stage = this.currentStage;
    if (stage === MovementSchedulerStage.PRE_WARMUP) return 0;
    if (stage === MovementSchedulerStage.IN_WARMUP) return this.scheduled(0, this.params.importanceRegularizationFactor);
    return this.params.importanceRegularizationFactor;
  }

  get currentImportanceThreshold(): number {
    const stage = this.currentStage;
    if (stage === MovementSchedulerStage.PRE_WARMUP) return -Infinity;
    if (stage === MovementSchedulerStage.IN_WARMUP) {
      if (this.initImportanceThreshold === undefined)
        throw new MovementSchedulerError('movement_sparsity: the init importance threshold is not computed yet (no step() in warm-up)');
      return this.scheduled(this.initImportanceThreshold, this.params.finalImportanceThreshold);
    }
    return this.params.finalImportanceThreshold;
  }

  /** The init threshold in use (given, or computed at warm-up start); undefined before. */
  get initThreshold(): number | undefined {
    return this.initImportanceThreshold;
  }

  get measuredStepsPerEpoch(): number | undefined {
    return this.stepsPerEpoch;
  }

  override epochStep(nextEpoch?: number): void {
    super.epochStep(nextEpoch);
    this.maybeSkip();
    this.stepsInCurrentEpoch = 0;
  }

  override step(nextStep?: number): void {
    super.step(nextStep);
    this.stepsInCurrentEpoch += 1;
    if (this.shouldSkip) return;
    this.scheduleController();
  }

  private scheduleController(): void {
    if (this.initImportanceThreshold === undefined && this.currentStage === MovementSchedulerStage.IN_WARMUP) {
      const t = this.controller.calcInitThreshold();
      if (t >= this.params.finalImportanceThreshold)
        this.controller.warn?.(
          `movement_sparsity: the computed init_importance_threshold (${t}) is equal to or greater than final_importance_threshold (${this.params.finalImportanceThreshold}); movement sparsity may not work as expected`,
        );
      this.initImportanceThreshold = t;
    }
    if (this.currentStage === MovementSchedulerStage.POST_WARMUP && !this.controllerFrozen) {
      if (this.params.enableStructuredMasking) this.controller.resolveStructuredMasks();
      this.controller.freeze();
      this.controllerFrozen = true;
    }
    const current: [number, number] = [this.currentImportanceThreshold, this.currentImportanceRegularizationFactor];
    if (!this.cached || current[0] !== this.cached[0] || current[1] !== this.cached[1]) this.controller.setImportanceThresholdAndFactor(...current);
    this.cached = current;
  }

  private scheduled(start: number, end: number): number {
    const spe = this.stepsPerEpoch!;
    const local = this.currentStep - Math.trunc(this.params.warmupStartEpoch * spe);
    const epoch = Math.floor(local / spe);
    const step = local % spe;
    const scale = polynomialDecay(
      { initial: 0, target: 1, targetEpoch: this.params.warmupEndEpoch - this.params.warmupStartEpoch, power: this.params.power, concave: true },
      epoch,
      step,
      spe,
    );
    return start + scale * (end - start);
  }

  private maybeSkip(): void {
    this.shouldSkip = false;
    if (this.stepsPerEpoch === undefined && this.stepsInCurrentEpoch > 0) this.stepsPerEpoch = this.stepsInCurrentEpoch;
    if (this.stepsPerEpoch !== undefined && this.stepsInCurrentEpoch > 0 && this.stepsPerEpoch !== this.stepsInCurrentEpoch)
      throw new MovementSchedulerError(
        `movement_sparsity scheduler: this epoch had ${this.stepsInCurrentEpoch} optimizer steps, but steps_per_epoch is ${this.stepsPerEpoch}; the schedule would be wrong`,
      );
    if (this.stepsPerEpoch === undefined) this.shouldSkip = true;
  }

  protected override extraState(): Record<string, unknown> {
    return { _init_importance_threshold: this.initImportanceThreshold ?? null, _steps_per_epoch: this.stepsPerEpoch ?? null };
  }

  protected override loadExtraState(state: SchedulerState): void {
    const init = state._init_importance_threshold;
    this.initImportanceThreshold = typeof init === 'number' ? init : undefined;
    const spe = state._steps_per_epoch;
    this.stepsPerEpoch = typeof spe === 'number' ? spe : undefined;
    if (this.stepsPerEpoch === undefined) {
      // still in the first epoch, measuring it
      this.stepsInCurrentEpoch = this.currentStep + 1;
      this.shouldSkip = true;
    } else this.stepsInCurrentEpoch = (this.currentStep % this.stepsPerEpoch) + 1;
    // the controller was frozen (and its masks resolved) if the saved position is past warm-up; its own state says so
    this.controllerFrozen = this.currentStage === MovementSchedulerStage.POST_WARMUP;
    this.cached = undefined;
  }
}
