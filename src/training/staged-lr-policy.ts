/**
 * The staged-quantization LR / weight-decay policy of NNCF's staged_quantization_worker.py
 * (PolyLRDropScheduler), driven by quantization `params` (spec/algorithms.md §7, config-reference §4.4).
 * `step(i / batchesPerEpoch)` is called after every batch and `epochStep()` after every epoch:
 * with e = lastEpoch + fraction, for start ≤ e < start+duration lr = base_lr·((start+duration−e)/duration)^2.1
 * (outside that window lr keeps its last value); weight decay becomes 0 once e > disable_wd_start_epoch.
 */
export interface StagedLrParams {
  readonly base_lr?: number;
  readonly base_wd?: number;
  readonly lr_poly_drop_start_epoch?: number;
  readonly lr_poly_drop_duration_epochs?: number;
  readonly disable_wd_start_epoch?: number;
}

export interface StagedLrState {
  lastEpoch: number;
  lr: number;
  weightDecay: number;
}

export class StagedLrPolicy {
  readonly baseLr: number;
  readonly baseWd: number;
  readonly dropStart?: number;
  readonly dropDuration: number;
  readonly disableWdStart?: number;
  state: StagedLrState;

  constructor(p: StagedLrParams) {
    this.baseLr = p.base_lr ?? 1e-3;
    this.baseWd = p.base_wd ?? 1e-5;
    this.dropStart = p.lr_poly_drop_start_epoch;
    this.dropDuration = p.lr_poly_drop_duration_epochs ?? 30;
    this.disableWdStart = p.disable_wd_start_epoch;
    this.state = { lastEpoch: 0, lr: this.baseLr, weightDecay: this.baseWd };
  }

  get lr(): number {
    return this.state.lr;
  }

  get weightDecay(): number {
    return this.state.weightDecay;
  }

  /** After batch i of an epoch: `fraction` = i / batchesPerEpoch. */
  step(fraction: number): void {
    const e = this.state.lastEpoch + fraction;
    if (this.dropStart !== undefined) {
      const finish = this.dropStart + this.dropDuration;
      if (this.dropStart <= e && e < finish) this.state.lr = this.baseLr * ((finish - e) / this.dropDuration) ** 2.1;
    }
    if (this.disableWdStart !== undefined && e > this.disableWdStart) this.state.weightDecay = 0;
  }

  epochStep(epoch?: number): void {
    if (epoch !== undefined) this.state.lastEpoch = epoch;
    this.state.lastEpoch += 1;
  }
}
