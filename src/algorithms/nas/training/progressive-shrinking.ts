/**
 * Progressive shrinking (NNCF's ProgressiveShrinkingController + BootstrapNASScheduler) as a
 * compression controller the Trainer drives: `epochStep()` at each epoch start finds the stage of the
 * epoch (stages run back to back, `epochs` each) and, on a new stage, enables its train dims (the others
 * go back to their maximum), sets depth/width indicators, reorganizes widths (`reorg_weights`), runs BN
 * adaptation (`bn_adapt`) and restarts the stage LR; `step()` at each training step activates a random
 * subnet of the enabled dims every `sample_rate` steps, then steps the LR. The scheduler's
 * `learningRate()` is the LR the Trainer uses for the step.
 *
 * Randomness: the subnet of global step t is drawn from Random(seed, t), so a run resumed mid-stage draws
 * what the uninterrupted run drew.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CompressionStage, Statistics, type CompressionController, type CompressionScheduler, type ControllerState, type HostSync, type SchedulerState } from '../../../compression/index.js';
import { Random } from '../../../data/random.js';
import type { Graph } from '../../../graph/index.js';
import type { ElasticityDim, MultiElasticityHandler, MultiElasticityState, SubnetConfig } from '../elasticity.js';
import { NasLrScheduler, type NasLrState } from './lr-schedulers.js';
import type { StageDescriptor } from './stages.js';

export const PROGRESSIVE_SHRINKING = 'progressive_shrinking';

export interface ProgressiveShrinkingOptions {
  handler: MultiElasticityHandler;
  /** Validated stages (validateStages filled init_lr/epochs_lr). */
  stages: StageDescriptor[];
  /** Optimizer steps per epoch (NNCF's train_iters). */
  stepsPerEpoch: number;
  /** training.lr_schedule.params.base_lr: one cosine over all epochs instead of per-stage LRs. */
  globalBaseLr?: number;
  seed?: number;
  /** BatchNorm adaptation of the active subnet (a stage's `bn_adapt`); required when a stage asks for it. */
  bnAdapt?: () => Promise<void>;
  log?: (line: string) => void;
}

/** Random(seed, step): a fresh generator per step, so draws need no stored state. */
const stepRandom = (seed: number, step: number) => new Random((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b)) >>> 0);

export class NasScheduler implements CompressionScheduler {
  currentEpoch = -1;
  stageIndex = -1;
  /** Training steps since the start (all stages), the random-subnet counter. */
  globalStep = 0;
  readonly lr: NasLrScheduler;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly ctrl: ProgressiveShrinkingController) {
    const o = ctrl.options;
    const total = o.stages.reduce((s, d) => s + d.epochs, 0);
    this.lr = new NasLrScheduler(o.globalBaseLr !== undefined ? 'global' : 'stage', o.stepsPerEpoch, o.globalBaseLr !== undefined ? { baseLr: o.globalBaseLr, numEpochs: total } : undefined);
  }

  get currentStep(): number {
    return this.lr.currentStep;
  }

  learningRate(): number {
    return this.lr.lr;
  }

  /** The stage of the current epoch and its index (−1 after the last stage). */
  currentStage(): { stage?: StageDescriptor; index: number } {
    let end = 0;
    for (const [index, stage] of this.ctrl.options.stages.entries()) {
      end += stage.epochs;
      if (this.currentEpoch < end) return { stage, index };
    }
    return { index: -1 };
  }

  totalEpochs(): number {
    return this.ctrl.options.stages.reduce((s, d) => s + d.epochs, 0);
  }

  isFinalStage(): boolean {
    return this.stageIndex === this.ctrl.options.stages.length - 1;
  }

  epochStep(next?: number): void {
    this.currentEpoch = next ?? this.currentEpoch + 1;
    this.lr.epochStep(next);
    const { stage, index } = this.currentStage();
    if (stage && index !== this.stageIndex) {
      this.lr.stageStep(stage.init_lr!, stage.epochs_lr!);
      this.stageIndex = index;
      const adapting = this.ctrl.setStage(stage, true);
      this.pending = this.pending.then(() => adapting);
    }
  }

  /** Waits for the stage start's BN adaptation (the Trainer calls it after epochStep). */
  settled(): Promise<void> {
    return this.pending;
  }

  step(next?: number): void {
    const rate = this.currentStage().stage?.sample_rate ?? 1;
    if (this.lr.currentStep % rate === 0) this.ctrl.sampleSubnet(stepRandom(this.ctrl.options.seed ?? 0, this.globalStep));
    this.globalStep++;
    this.lr.step(next);
  }

  getState(): SchedulerState {
    return { current_step: this.lr.currentStep, current_epoch: this.currentEpoch, stage_index: this.stageIndex, global_step: this.globalStep, lr: this.lr.getState() };
  }

  loadState(s: SchedulerState): void {
    this.currentEpoch = s.current_epoch;
    this.stageIndex = s.stage_index as number;
    this.globalStep = s.global_step as number;
    this.lr.loadState(s.lr as NasLrState);
  }
}

export class ProgressiveShrinkingController implements CompressionController {
  readonly name = PROGRESSIVE_SHRINKING;
  readonly scheduler: NasScheduler;
  /** The subnet each sampling step activated, for logs and tests. */
  lastSampled?: SubnetConfig;

  constructor(readonly options: ProgressiveShrinkingOptions) {
    if (!Number.isInteger(options.stepsPerEpoch) || options.stepsPerEpoch < 1)
      throw new Error(`progressive shrinking: stepsPerEpoch must be a positive integer, got ${options.stepsPerEpoch}`);
    if (!options.bnAdapt && options.stages.some((s) => s.bn_adapt))
      throw new Error('bootstrapNAS.training.schedule: a stage sets bn_adapt, but no data for BatchNorm adaptation was given');
    this.scheduler = new NasScheduler(this);
  }

  get handler(): MultiElasticityHandler {
    return this.options.handler;
  }

  /**
   * NNCF set_stage: dims on/off, indicators and weight reorganization at once; the BN adaptation
   * (`bn_adapt`) is the returned promise. Reorganization and BN adaptation run only when entering the stage.
   */
  setStage(stage: StageDescriptor, entering: boolean): Promise<void> {
    const h = this.handler;
    for (const dim of h.availableDims()) h.enable(dim, stage.train_dims.includes(dim as ElasticityDim));
    const width = h.dims.width as (typeof h.dims.width & { widthIndicator?: number; reorganizeWeights?: () => void }) | undefined;
    if (width) {
      if (entering && stage.reorg_weights) width.reorganizeWeights?.();
      if (stage.width_indicator) width.widthIndicator = stage.width_indicator;
    }
    const depth = h.dims.depth as (typeof h.dims.depth & { depthIndicator?: number }) | undefined;
    if (depth && stage.depth_indicator) depth.depthIndicator = stage.depth_indicator;
    this.options.log?.(`progressive shrinking: stage ${this.scheduler.stageIndex} (${stage.train_dims.join(', ')}), ${stage.epochs} epoch(s)`);
    return entering && stage.bn_adapt ? this.options.bnAdapt!() : Promise.resolve();
  }

  sampleSubnet(rng: Random): void {
    this.lastSampled = this.handler.sampleRandom(rng);
  }

  /**
   * A step activates a random subnet: flags and masks the training graph reads as fed inputs. Width
   * reorganization and BN adaptation run at stage starts (epoch steps, before the trainer's pull).
   */
  hostSync(): HostSync {
    return { step: 'none', loss: false };
  }

  loss(): tf.Scalar {
    return tf.scalar(0);
  }

  /** The BatchNorm statistics of the channels the active widths switch off (kept as they were, as NNCF's trimmed BN does). */
  frozenRunningStats(): { name: string; keep: Uint8Array }[] {
    const width = this.handler.dims.width as { inactiveRunningStats?: () => { name: string; keep: Uint8Array }[] } | undefined;
    return width?.inactiveRunningStats?.() ?? [];
  }

  /** NNCF reports no statistics for progressive shrinking; we give the stage, the active subnet and its MACs. */
  statistics(): Statistics {
    return new Statistics(this.name, {
      stage: this.scheduler.stageIndex,
      active_subnet: JSON.stringify(this.handler.activeConfig()),
      active_subnet_macs: this.handler.macs(),
    });
  }

  compressionStage(): CompressionStage {
    return this.scheduler.isFinalStage() ? CompressionStage.FULLY_COMPRESSED : CompressionStage.PARTIALLY_COMPRESSED;
  }

  disableScheduler(): void {}

  prepareForExport(): void {}

  /** The supernet is what a plain export writes; subnets go out through the handler's exportSubnet. */
  editExportGraph(_graph: Graph): void {}

  /** The elastic dimensions' own parameters (the kernel transforms): trained and checkpointed with the weights. */
  compressionVariables(): tf.Variable[] {
    return this.handler.trainableVariables();
  }

  getState(): ControllerState {
    const depth = this.handler.dims.depth as { depthIndicator?: number } | undefined;
    const width = this.handler.dims.width as { widthIndicator?: number } | undefined;
    return {
      scheduler_state: this.scheduler.getState(),
      compression_stage: this.compressionStage(),
      nas_state: { active_config: this.handler.activeConfig(), depth_indicator: depth?.depthIndicator ?? null, width_indicator: width?.widthIndicator ?? null },
      // each dimension's own state: elastic width's channel order after reorg_weights lives only here
      elasticity: this.handler.getState(),
    };
  }

  /** Resumes mid-stage: the stage's dims and indicators (no second reorganization or BN adaptation; the weights carry them) and the active subnet. */
  loadState(state: ControllerState): void {
    this.scheduler.loadState(state.scheduler_state);
    if (state.elasticity) this.handler.loadState(state.elasticity as MultiElasticityState);
    const { stage } = this.scheduler.currentStage();
    if (stage) void this.setStage(stage, false);
    this.handler.activate((state.nas_state as { active_config: SubnetConfig }).active_config);
  }

  dispose(): void {}
}
