/**
 * NNCF's StagedQuantizationScheduler (spec/algorithms.md §7). The quantization controller plugs it in
 * with handles on its quantizer groups; the scheduler only decides *when* groups turn on:
 * - at construction and on `loadState`, activations are enabled iff max(current_epoch, 0) >=
 *   activations_quant_start_epoch, weights iff max(current_epoch, 0) >= weights_quant_start_epoch
 *   (defaults 1 and 1, so both groups start disabled);
 * - on `epochStep()`, exactly when current_epoch equals a start epoch, that group is enabled and range
 *   init is re-run (once, even when both groups start at the same epoch). Jumping past a start epoch
 *   with `epochStep(n)` does not enable the group — as in NNCF.
 * The LR / weight-decay keys of `params` belong to the training script: see training/staged-lr-policy.ts.
 */
import { BaseScheduler, CompressionStage, type SchedulerState } from '../../compression/index.js';

/** What the quantization controller gives the scheduler. `initRange` may be async (it runs forward passes). */
export interface StagedQuantizationHandles {
  enableActivations(): void;
  disableActivations(): void;
  enableWeights(): void;
  disableWeights(): void;
  initRange(): void | Promise<void>;
}

export interface StagedQuantizationParamsLike {
  readonly activations_quant_start_epoch?: number;
  readonly weights_quant_start_epoch?: number;
}

export class StagedQuantizationScheduler extends BaseScheduler {
  readonly activationsStartEpoch: number;
  readonly weightsStartEpoch: number;
  private activationsOn = false;
  private weightsOn = false;
  private pending: Promise<void> | undefined;
  private disabled = false;

  constructor(
    private readonly handles: StagedQuantizationHandles,
    params: StagedQuantizationParamsLike = {},
  ) {
    super();
    this.activationsStartEpoch = params.activations_quant_start_epoch ?? 1;
    this.weightsStartEpoch = params.weights_quant_start_epoch ?? 1;
    for (const [key, v] of [
      ['activations_quant_start_epoch', this.activationsStartEpoch],
      ['weights_quant_start_epoch', this.weightsStartEpoch],
    ] as const)
      if (!Number.isFinite(v)) throw new Error(`quantization.params.${key} must be a finite number, got ${v}`);
    this.setQuantizationStatus();
  }

  get activationsEnabled(): boolean {
    return this.activationsOn;
  }

  get weightsEnabled(): boolean {
    return this.weightsOn;
  }

  /**
   * NNCF's compression_stage(): judged from current_epoch against the start epochs, not from the groups'
   * flags — so with start 0 it says UNCOMPRESSED right after construction (epoch −1) although both groups
   * are already on, and after a jump past a start epoch it says compressed although the group stayed off.
   */
  compressionStage(): CompressionStage {
    if (this.disabled) return CompressionStage.FULLY_COMPRESSED; // NNCF's StubCompressionScheduler says so
    const activations = this.currentEpoch >= this.activationsStartEpoch;
    const weights = this.currentEpoch >= this.weightsStartEpoch;
    if (activations && weights) return CompressionStage.FULLY_COMPRESSED;
    if (!activations && !weights) return CompressionStage.UNCOMPRESSED;
    return CompressionStage.PARTIALLY_COMPRESSED;
  }

  /** Resolves when a range init started by `epochStep` has finished (rejects with its error). */
  async settled(): Promise<void> {
    const p = this.pending;
    this.pending = undefined;
    if (p) await p;
  }

  /**
   * NNCF's disable_scheduler (a stub scheduler): groups keep their status; no more switches or range inits;
   * the stage is the stub's FULLY_COMPRESSED.
   */
  disable(): void {
    this.disabled = true;
  }

  protected override onEpoch(): void {
    if (this.disabled) return;
    let init = false;
    if (this.currentEpoch === this.activationsStartEpoch) {
      this.handles.enableActivations();
      this.activationsOn = true;
      init = true;
    }
    if (this.currentEpoch === this.weightsStartEpoch) {
      this.handles.enableWeights();
      this.weightsOn = true;
      init = true;
    }
    if (init) {
      const r = this.handles.initRange();
      if (r instanceof Promise) {
        const p = (this.pending ?? Promise.resolve()).then(() => r);
        p.catch(() => undefined); // surfaced by settled(); never an unhandled rejection
        this.pending = p;
      }
    }
  }

  /** Re-applies enabled/disabled status without range init (ranges come from the checkpoint). */
  protected override loadExtraState(_state: SchedulerState): void {
    this.setQuantizationStatus();
  }

  private setQuantizationStatus(): void {
    const e = Math.max(this.currentEpoch, 0);
    this.activationsOn = e >= this.activationsStartEpoch;
    this.weightsOn = e >= this.weightsStartEpoch;
    if (this.activationsOn) this.handles.enableActivations();
    else this.handles.disableActivations();
    if (this.weightsOn) this.handles.enableWeights();
    else this.handles.disableWeights();
  }
}
