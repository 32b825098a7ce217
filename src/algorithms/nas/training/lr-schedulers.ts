/**
 * BootstrapNAS's learning-rate schedulers (NNCF lr_scheduler.py), stepped by the NAS scheduler at the
 * start of every training step and epoch:
 * - stage: at each stage start the LR restarts at the stage's `init_lr` and follows a cosine over
 *   `epochs_lr` epochs (its counters reset to epoch 0, step 0);
 * - global (`lr_schedule.params.base_lr` given): one cosine over all stages' epochs, never reset.
 * The position inside an epoch is NNCF's `current_step − current_epoch·(steps_per_epoch + 1)`, kept as
 * NNCF computes it (its counters include the step(0) of a stage reset).
 */

/** NNCF calc_learning_rate, cosine. */
export function cosineLr(epoch: number, initLr: number, epochs: number, batch: number, stepsPerEpoch: number): number {
  const total = epochs * stepsPerEpoch;
  const cur = epoch * stepsPerEpoch + batch;
  return 0.5 * initLr * (1 + Math.cos((Math.PI * cur) / total));
}

export interface NasLrState {
  kind: 'stage' | 'global';
  current_step: number;
  current_epoch: number;
  init_lr: number | null;
  num_epochs: number | null;
}

export class NasLrScheduler {
  currentStep = -1;
  currentEpoch = -1;
  lr: number;
  private initLr: number | null;
  private numEpochs: number | null;

  constructor(
    readonly kind: 'stage' | 'global',
    readonly stepsPerEpoch: number,
    /** Global: base_lr and the total epochs; stage: unset until the first stage. */
    global?: { baseLr: number; numEpochs: number },
  ) {
    this.initLr = global?.baseLr ?? null;
    this.numEpochs = global?.numEpochs ?? null;
    this.lr = this.initLr ?? 0;
  }

  epochStep(next?: number): void {
    this.currentEpoch = next ?? this.currentEpoch + 1;
  }

  step(next?: number): void {
    this.currentStep = next ?? this.currentStep + 1;
    if (this.initLr === null || this.numEpochs === null) return;
    const batch = this.currentStep - this.currentEpoch * (this.stepsPerEpoch + 1);
    this.lr = cosineLr(this.currentEpoch, this.initLr, this.numEpochs, batch, this.stepsPerEpoch);
  }

  /** A stage begins: the stage scheduler restarts at its init_lr over epochs_lr (the global one ignores stages). */
  stageStep(initLr: number, epochsLr: number): void {
    if (this.kind === 'global') return;
    this.initLr = initLr;
    this.numEpochs = epochsLr;
    this.epochStep(0);
    this.step(0);
  }

  getState(): NasLrState {
    return { kind: this.kind, current_step: this.currentStep, current_epoch: this.currentEpoch, init_lr: this.initLr, num_epochs: this.numEpochs };
  }

  loadState(s: NasLrState): void {
    this.currentStep = s.current_step;
    this.currentEpoch = s.current_epoch;
    this.initLr = s.init_lr;
    this.numEpochs = s.num_epochs;
    if (this.currentStep >= 0 && this.initLr !== null && this.numEpochs !== null) {
      const batch = this.currentStep - this.currentEpoch * (this.stepsPerEpoch + 1);
      this.lr = cosineLr(this.currentEpoch, this.initLr, this.numEpochs, batch, this.stepsPerEpoch);
    }
  }
}
