/**
 * NNCF's MagnitudeSparsityController: masks keep the weights whose importance is strictly above the
 * threshold for the level; global mode drives one level over all layers with the scheduler, local mode
 * sets levels per layer through the API (`setSparsityLevel(level, layer)`) and has a stub scheduler.
 * `sparsity_init` is applied at construction. Frozen layers keep their masks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CompressionStage, Statistics, type CompressedModel } from '../../../compression/index.js';
import type { NNCFConfig } from '../../../config/index.js';
import { quantizationInitServices } from '../../quantization/init-services.js';
import { SparsityConfigError, SparsityControllerBase, type SparsityMode } from '../base-controller.js';
import type { MaskedWeight } from '../mask.js';
import { createSparsityScheduler, StubSparsityScheduler, type AnySparsityScheduler, type SparsitySchedulerParams } from '../schedulers.js';
import { sparsityTables } from '../statistics.js';
import { binaryMask, importance, selectThreshold, type WeightImportance } from './importance.js';

export interface MagnitudeParams {
  mode: SparsityMode;
  /** `initializer.batchnorm_adaptation`: the config (its BNAdaptationInitArgs data) and the sample count. */
  bnAdaptation?: { config: NNCFConfig; numSamples: number };
  weightImportance: WeightImportance;
  scheduler: SparsitySchedulerParams;
}

export class MagnitudeSparsityController extends SparsityControllerBase {
  readonly name = 'magnitude_sparsity';
  scheduler: AnySparsityScheduler;

  constructor(
    model: CompressedModel,
    masked: readonly MaskedWeight[],
    readonly params: MagnitudeParams,
  ) {
    super(model, masked);
    this.scheduler = params.mode === 'global' ? createSparsityScheduler(this, params.scheduler) : new StubSparsityScheduler();
    this.setSparsityLevel(params.scheduler.sparsity_init);
  }

  private importances(layers: readonly MaskedWeight[]): Float32Array[] {
    return layers.map((m) => importance(m.weight.dataSync() as Float32Array, this.params.weightImportance));
  }

  /** NNCF's set_sparsity_level: over all layers (global) or one layer; the level must be in [0, 1). */
  setSparsityLevel(level: number, layer?: MaskedWeight | string): void {
    if (!(level >= 0 && level < 1)) throw new SparsityConfigError(`magnitude_sparsity: the sparsity level must be within [0, 1), got ${level}`);
    const layers = layer === undefined ? this.masked : [this.layer(layer)];
    const imps = this.importances(layers);
    const threshold = selectThreshold(imps, level);
    layers.forEach((m, i) => {
      if (m.frozen) return;
      const mask = tf.tensor(binaryMask(imps[i], threshold), m.mask.shape);
      m.setMask(mask);
      mask.dispose();
    });
  }

  /**
   * NNCF's set_sparsity_level(..., run_batchnorm_adaptation=True): sets the level, then re-estimates the
   * BatchNorm statistics with `initializer.batchnorm_adaptation` (its data: BNAdaptationInitArgs).
   * Returns the adaptation passes run.
   */
  async setSparsityLevelAndAdaptBatchNorm(level: number, layer?: MaskedWeight | string): Promise<number> {
    this.setSparsityLevel(level, layer);
    const bn = this.params.bnAdaptation;
    if (!bn) return 0;
    return quantizationInitServices().adaptBatchNorm(this.model, bn.config, bn.numSamples);
  }

  /** The threshold NNCF reports for `level` over `layers` (all layers by default). */
  selectThreshold(level: number, layers: readonly MaskedWeight[] = this.masked): number {
    return selectThreshold(this.importances(layers), level);
  }

  layer(name: MaskedWeight | string): MaskedWeight {
    if (typeof name !== 'string') return name;
    const m = this.masked.find((x) => x.name === name);
    if (!m) throw new SparsityConfigError(`magnitude_sparsity: no sparsified layer "${name}" (layers: ${this.masked.map((x) => x.name).join(', ')})`);
    return m;
  }

  freeze(freeze = true): void {
    for (const m of this.masked) m.frozen = freeze;
  }

  get compressionRate(): number {
    return this.collect().sparsityLevel;
  }

  set compressionRate(level: number) {
    this.freeze(false);
    this.setSparsityLevel(level);
    this.freeze(true);
  }

  override compressionStage(): CompressionStage {
    if (this.params.mode === 'local') return CompressionStage.FULLY_COMPRESSED;
    const s = this.scheduler;
    if (s.currentSparsityLevel >= s.targetLevel) return CompressionStage.FULLY_COMPRESSED;
    if (s.currentSparsityLevel === 0) return CompressionStage.UNCOMPRESSED;
    return CompressionStage.PARTIALLY_COMPRESSED;
  }

  /** Per layer: the global threshold at the measured `sparsity_level_for_layers` (global), or each layer's own. */
  thresholds(stats = this.collect()): { name: string; threshold: number }[] {
    if (this.params.mode === 'global') {
      const t = this.selectThreshold(stats.sparsityLevelForLayers);
      return this.masked.map((m) => ({ name: m.name, threshold: t }));
    }
    const level = new Map(stats.layers.map((l) => [l.name, l.sparsityLevel]));
    return this.masked.map((m) => ({ name: m.name, threshold: this.selectThreshold(level.get(m.name)!, [m]) }));
  }

  statistics(): Statistics {
    const stats = this.collect();
    const thresholds = this.thresholds(stats);
    const values: Record<string, number> = { sparsity_level: stats.sparsityLevel, sparsity_level_for_layers: stats.sparsityLevelForLayers };
    if (this.params.mode === 'global') values.target_sparsity_level = this.scheduler.currentSparsityLevel;
    return new Statistics(this.name, values, [
      ...sparsityTables(stats),
      { title: 'Sparsity thresholds:', header: ["Layer's name", 'Sparsity threshold'], rows: thresholds.map((t) => [t.name, t.threshold]) },
    ]);
  }
}
