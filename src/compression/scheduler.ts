/** Serializable scheduler position; algorithms add their own keys (e.g. current_sparsity_level). */
export interface SchedulerState {
  current_step: number;
  current_epoch: number;
  [extra: string]: unknown;
}

export interface CompressionScheduler {
  readonly currentStep: number;
  readonly currentEpoch: number;
  /** Call at the start of every optimizer step. */
  step(nextStep?: number): void;
  /** Call at the start of every epoch. */
  epochStep(nextEpoch?: number): void;
  /** A scheduler that drives the learning rate (BootstrapNAS's stage/global LR) gives it after each step(). */
  learningRate?(): number | undefined;
  getState(): SchedulerState;
  loadState(state: SchedulerState): void;
}

/**
 * NNCF's BaseCompressionScheduler: step and epoch both start at −1, so the first call moves to 0.
 * Subclasses react in `onStep`/`onEpoch` and keep extra state via `extraState`/`loadExtraState`.
 */
export class BaseScheduler implements CompressionScheduler {
  private step_ = -1;
  private epoch_ = -1;

  get currentStep(): number {
    return this.step_;
  }

  get currentEpoch(): number {
    return this.epoch_;
  }

  step(nextStep?: number): void {
    this.step_ = nextStep ?? this.step_ + 1;
    this.onStep();
  }

  epochStep(nextEpoch?: number): void {
    this.epoch_ = nextEpoch ?? this.epoch_ + 1;
    this.onEpoch();
  }

  getState(): SchedulerState {
    return { current_step: this.step_, current_epoch: this.epoch_, ...this.extraState() };
  }

  loadState(state: SchedulerState): void {
    this.step_ = state.current_step;
    this.epoch_ = state.current_epoch;
    this.loadExtraState(state);
  }

  protected onStep(): void {}
  protected onEpoch(): void {}
  protected extraState(): Record<string, unknown> {
    return {};
  }
  protected loadExtraState(_state: SchedulerState): void {}
}

/** Steps its children in config order; its own position mirrors theirs. */
export class CompositeScheduler extends BaseScheduler {
  constructor(readonly children: readonly CompressionScheduler[]) {
    super();
  }

  override step(nextStep?: number): void {
    super.step(nextStep);
    for (const c of this.children) c.step(nextStep);
  }

  override epochStep(nextEpoch?: number): void {
    super.epochStep(nextEpoch);
    for (const c of this.children) c.epochStep(nextEpoch);
  }

  /**
   * The LR a child scheduler sets (progressive shrinking's stage LR, composed with knowledge
   * distillation): the first child that gives one; undefined when none does.
   */
  learningRate(): number | undefined {
    for (const c of this.children) {
      const lr = c.learningRate?.();
      if (lr !== undefined) return lr;
    }
    return undefined;
  }

  override getState(): SchedulerState {
    return { ...super.getState(), children: this.children.map((c) => c.getState()) };
  }

  override loadState(state: SchedulerState): void {
    super.loadState(state);
    const children = (state.children ?? []) as SchedulerState[];
    this.children.forEach((c, i) => children[i] && c.loadState(children[i]));
  }
}
