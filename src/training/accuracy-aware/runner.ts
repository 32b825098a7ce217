/**
 * NNCF's accuracy-aware training runner (common/accuracy_aware_training/runner.py + the torch runner):
 * counters, best metric, best checkpoints and the history of (rate, budget), around the caller's callbacks.
 * One class for both modes; `adaptive` switches to the per-rate best checkpoints of the adaptive runner.
 */
import type { CompressionController } from '../../compression/index.js';
import { CompressionStage } from '../../compression/index.js';
import { settle } from '../controllers.js';
import { minimalTolerableAccuracy, type AccuracyAwareSettings } from './params.js';
import type { AccuracyAwareCallbacks, AccuracyAwarePhase, AccuracyAwareRecord } from './types.js';

/** What the loops need of a controller (the composite one, or one algorithm's). */
export type AccuracyAwareController = Pick<CompressionController, 'name' | 'scheduler' | 'compressionStage' | 'disableScheduler' | 'compressionRate' | 'maximalCompressionRate'>;

export class AccuracyAwareRunner<S = unknown> {
  readonly minimalTolerableAccuracy: number;
  maximalTotalEpochs: number;
  trainingEpochCount = 0;
  cumulativeEpochCount = 0;
  bestValMetric = 0;
  currentValMetric = 0;
  currentLoss: number | undefined;
  /** NNCF's base_lr_reduction_factor_during_search. */
  lrFactor = 1;
  readonly history: AccuracyAwareRecord[] = [];
  // early_exit: the one best checkpoint
  private best?: { state: S; rate: number; metric: number };
  /** The validated metric of the state the last loadBestCheckpoint put in place. */
  loadedMetric?: number;
  // adaptive: (target rate, budget) per validation and the best checkpoint per target rate
  readonly rateHistory: [number, number][] = [];
  private readonly bestPerRate = new Map<number, { state: S; budget: number }>();
  targetRateOverride?: number;
  rateStep: number;
  prevSign?: number;
  adaptiveController?: AccuracyAwareController;

  constructor(
    readonly settings: AccuracyAwareSettings,
    readonly controller: AccuracyAwareController,
    readonly uncompressedAccuracy: number,
    readonly fns: AccuracyAwareCallbacks<S>,
    readonly adaptive: boolean,
  ) {
    this.minimalTolerableAccuracy = minimalTolerableAccuracy(settings, uncompressedAccuracy);
    this.maximalTotalEpochs = settings.maximalTotalEpochs;
    this.rateStep = settings.initialCompressionRateStep;
  }

  log(line: string): void {
    this.fns.log?.(line);
  }

  /** The rate the model is at: the search target once set, else the controller's own. */
  get targetRate(): number {
    return this.targetRateOverride ?? this.adaptiveController?.compressionRate ?? this.controller.compressionRate ?? 0;
  }

  fullyCompressed(): boolean {
    return this.controller.compressionStage() === CompressionStage.FULLY_COMPRESSED;
  }

  budget(metric = this.currentValMetric): number {
    return metric - this.minimalTolerableAccuracy;
  }

  async configureOptimizers(): Promise<void> {
    await this.fns.configureOptimizers?.(this.lrFactor);
  }

  async trainEpoch(): Promise<void> {
    this.controller.scheduler.epochStep();
    await settle(this.controller.scheduler);
    const loss = await this.fns.trainEpoch(this.cumulativeEpochCount);
    this.currentLoss = typeof loss === 'number' ? loss : undefined;
    this.trainingEpochCount++;
    this.cumulativeEpochCount++;
  }

  async validate(): Promise<number> {
    this.currentValMetric = await this.fns.validate(this.cumulativeEpochCount);
    if (this.currentValMetric > this.bestValMetric) this.bestValMetric = this.currentValMetric;
    return this.currentValMetric;
  }

  /** Records the validation (history, progress line) and keeps the checkpoint, as NNCF's dump_statistics. */
  async dumpStatistics(phase: AccuracyAwarePhase): Promise<void> {
    if (this.adaptive) this.rateHistory.push([this.targetRate, this.budget()]);
    const record = this.record(phase);
    const isBest = this.bestValMetric === this.currentValMetric && record.fullyCompressed;
    await this.fns.dumpCheckpoint?.({ epoch: record.epoch, best: isBest, compressionRate: record.compressionRate });
    if (isBest) await this.saveBest();
  }

  /** A history entry and its progress line for the validation just made. */
  record(phase: AccuracyAwarePhase): AccuracyAwareRecord {
    const record: AccuracyAwareRecord = {
      epoch: this.cumulativeEpochCount,
      phase,
      compressionRate: this.targetRate,
      accuracy: this.currentValMetric,
      budget: this.budget(),
      fullyCompressed: this.fullyCompressed(),
      ...(this.adaptive ? { targetRate: this.targetRate, rateStep: this.rateStep, lrFactor: this.lrFactor } : {}),
    };
    this.history.push(record);
    this.fns.onRecord?.(record);
    return record;
  }

  private async saveBest(): Promise<void> {
    if (!this.adaptive) {
      const old = this.best;
      this.best = { state: await this.fns.saveState(), rate: this.targetRate, metric: this.currentValMetric };
      if (old) this.fns.releaseState?.(old.state);
      return;
    }
    const rate = this.targetRate;
    const budget = this.bestValMetric - this.minimalTolerableAccuracy;
    const kept = this.bestPerRate.get(rate);
    if (kept && kept.budget >= budget) return;
    this.bestPerRate.set(rate, { state: await this.fns.saveState(), budget });
    if (kept) this.fns.releaseState?.(kept.state);
  }

  /** The rate the controller really is at (NNCF reports the target even when nothing was loaded). */
  private rateInPlace(): number {
    return this.adaptiveController?.compressionRate ?? this.targetRate;
  }

  /** Loads the best checkpoint; returns the compression rate of the model now in place. */
  async loadBestCheckpoint(): Promise<number> {
    if (!this.adaptive) {
      if (!this.best) {
        this.log('warning: no fully compressed state was validated, so there is no best checkpoint; the model is left as it is');
        return this.rateInPlace();
      }
      await this.fns.loadState(this.best.state);
      this.loadedMetric = this.best.metric;
      return this.best.rate;
    }
    const fitting = this.rateHistory.filter(([, budget]) => budget >= 0).map(([rate]) => rate);
    if (fitting.length === 0) {
      this.log('warning: could not produce a compressed model within the accuracy degradation criterion; the model is left as it is (more epochs may help)');
      return this.rateInPlace();
    }
    const rate = [...fitting].sort((a, b) => b - a).find((r) => this.bestPerRate.has(r));
    if (rate === undefined) {
      this.log('error: no best checkpoint was kept for any rate with a non-negative accuracy budget; the model is left as it is');
      return this.rateInPlace();
    }
    await this.fns.loadState(this.bestPerRate.get(rate)!.state);
    return rate;
  }

  stopTraining(): boolean {
    return this.fullyCompressed() && this.fns.earlyStopping !== undefined && this.fns.earlyStopping(this.currentValMetric);
  }

  updateLearningRate(): void {
    this.fns.updateLearningRate?.(this.trainingEpochCount, this.currentValMetric, this.bestValMetric, this.currentLoss);
  }

  /** NNCF's reset_training: new optimizers at the reduced LR, epoch count and metrics back to 0. */
  async resetTraining(): Promise<void> {
    await this.configureOptimizers();
    this.trainingEpochCount = 0;
    this.bestValMetric = 0;
    this.currentValMetric = 0;
  }

  /** Disposes every kept snapshot. */
  release(): void {
    if (this.best) this.fns.releaseState?.(this.best.state);
    for (const { state } of this.bestPerRate.values()) this.fns.releaseState?.(state);
    this.best = undefined;
    this.bestPerRate.clear();
  }
}
