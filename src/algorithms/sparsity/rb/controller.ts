/**
 * NNCF's RBSparsityController: the level is the RB loss's target (global: set by the scheduler, default
 * exponential; local: per layer through the API, stub scheduler); freezing disables the loss and the
 * noise. compression_rate is the loss's target rate. The binary masks used by statistics and export are
 * sigmoid(m) > 0.5.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CompressionStage, Statistics, type CompressedModel, type ControllerState, type HostSync } from '../../../compression/index.js';
import { SparsityConfigError, SparsityControllerBase, type SparsityMode } from '../base-controller.js';
import type { MaskedWeight } from '../mask.js';
import { createSparsityScheduler, StubSparsityScheduler, type AnySparsityScheduler, type SparsitySchedulerParams } from '../schedulers.js';
import { sparsityTables } from '../statistics.js';
import { RBSparsityLoss } from './loss.js';
import type { RBMaskedWeight } from './rb-mask.js';

export class RBSparsityController extends SparsityControllerBase {
  readonly name = 'rb_sparsity';
  scheduler: AnySparsityScheduler;
  readonly rbLoss: RBSparsityLoss;

  constructor(
    model: CompressedModel,
    readonly layers: readonly RBMaskedWeight[],
    readonly mode: SparsityMode,
    schedulerParams: SparsitySchedulerParams,
  ) {
    super(model, layers);
    this.rbLoss = new RBSparsityLoss(layers, mode === 'local');
    if (mode === 'local') this.scheduler = new StubSparsityScheduler();
    else {
      this.scheduler = createSparsityScheduler(this, schedulerParams);
      this.setSparsityLevel(schedulerParams.sparsity_init);
    }
  }

  /** The level is the loss's target (no variable read); the loss reads the mask logits. */
  override hostSync(): HostSync {
    return { step: 'none', loss: true };
  }

  override loss(): tf.Scalar {
    return this.rbLoss.calculate();
  }

  measuredSparsity(): number {
    return this.rbLoss.currentSparsity;
  }

  setSparsityLevel(level: number, layer?: string | MaskedWeight): void {
    if (layer === undefined) return this.rbLoss.setTargetSparsityLoss(level);
    const l = typeof layer === 'string' ? this.layers.find((x) => x.name === layer) : this.layers.find((x) => x === layer);
    if (!l) throw new SparsityConfigError(`rb_sparsity: no sparsified layer "${String(typeof layer === 'string' ? layer : layer.name)}"`);
    this.rbLoss.setTargetSparsityLoss(level, l);
  }

  freeze(): void {
    this.rbLoss.disable();
  }

  get compressionRate(): number {
    return this.rbLoss.targetSparsityRate;
  }

  set compressionRate(level: number) {
    this.setSparsityLevel(level);
  }

  override compressionStage(): CompressionStage {
    if (this.mode === 'local') return CompressionStage.FULLY_COMPRESSED;
    const s = this.scheduler;
    if (s.currentSparsityLevel === 0) return CompressionStage.UNCOMPRESSED;
    if (s.currentSparsityLevel >= s.targetLevel) return CompressionStage.FULLY_COMPRESSED;
    return CompressionStage.PARTIALLY_COMPRESSED;
  }

  protected override exportMask(m: MaskedWeight): tf.Tensor {
    return tf.tidy(() => tf.cast(tf.greater(tf.sigmoid((m as RBMaskedWeight).logits), 0.5), 'float32'));
  }

  override collect() {
    for (const l of this.layers) l.syncMask();
    return super.collect();
  }

  statistics(): Statistics {
    const s = this.collect();
    const values: Record<string, number> = { sparsity_level: s.sparsityLevel, sparsity_level_for_layers: s.sparsityLevelForLayers };
    if (this.mode === 'global') values.target_sparsity_level = this.scheduler.currentSparsityLevel;
    values.mean_sparse_prob = 1 - this.rbLoss.meanSparseProb;
    return new Statistics(this.name, values, sparsityTables(s));
  }

  /** The logits are the trainable parameters (checkpointed); the 0/1 masks derive from them. */
  override compressionVariables(): tf.Variable[] {
    return this.layers.map((l) => l.logits);
  }

  override getState(): ControllerState {
    return { ...super.getState(), loss_disabled: this.rbLoss.disabled, noise_draws: this.layers.map((l) => l.draws), target: this.rbLoss.target };
  }

  override loadState(state: ControllerState): void {
    super.loadState(state);
    if (state.loss_disabled === true) this.rbLoss.disabled = true;
    const draws = state.noise_draws as number[] | undefined;
    if (draws) this.layers.forEach((l, i) => (l.draws = draws[i] ?? l.draws));
    if (typeof state.target === 'number') this.rbLoss.target = state.target;
  }
}
