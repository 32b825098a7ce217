import * as tf from '@tensorflow/tfjs-core';
import { CompressionStage, Statistics, type CompressedModel, type CompressionController, type ControllerState, type HostSync } from '../../compression/index.js';
import type { Graph } from '../../graph/index.js';
import { prunePhysically, zeroMaskedParams } from './export-physical.js';
import type { ModelCost } from './flops.js';
import type { GroupAnalysis, Propagation } from './groups/index.js';
import { filterImportance, type FilterImportance } from './importance.js';
import { maskLevel } from './levels.js';
import { updateMasks, type MaskedParam } from './masks.js';
import { PruningScheduler, type PruningScheduleParams } from './schedulers.js';
import { costOf, globalMasks, globalMasksForFlops, uniformCountMasks, uniformLevelForFlops, uniformMasks, type LevelContext } from './setting.js';
import { pruningStatistics } from './statistics.js';
import type { RankingCoeffs } from './legr/evolution.js';
import type { LegrPruner } from './legr/search.js';

export interface FilterPruningOptions {
  filterImportance: FilterImportance;
  allWeights: boolean;
  pruneFlops: boolean;
  pruningInit: number;
  schedule: Omit<PruningScheduleParams, 'initialLevel'>;
  /** learned_ranking (LeGR): rank with per-layer a·importance + b on raw (not normalised) weights. */
  learnedRanking?: boolean;
}

/**
 * NNCF's FilterPruningController: sets binary filter masks per pruning group from filter importance
 * (uniformly per group, or globally with all_weights; by filter share or by FLOPs target), propagates
 * them to biases and norms, counts FLOPs/parameters, and exports the pruned model physically smaller
 * (or with masked zeros when `keepShape`).
 */
export class FilterPruningController implements CompressionController, LegrPruner {
  readonly name = 'filter_pruning';
  scheduler: PruningScheduler;
  /** Keep mask (1 kept, 0 pruned) per group, by group id. */
  keep: Uint8Array[];
  frozen = false;
  /** Export with masked zeros and the original shapes (NNCF's behaviour) instead of dropping filters. */
  keepShape = false;
  private level = 0;
  readonly full: ModelCost;
  private current: ModelCost;
  private readonly minCost: ModelCost;
  private readonly ctx: LevelContext;
  /**
   * Per pruned layer (node name) the (a, b) of NNCF's ranking_coeffs: a·importance + b ranks filters
   * across layers with all_weights. Identity (1, 0) for unweighted ranking; learned or loaded for LeGR.
   */
  rankingCoeffs: RankingCoeffs;

  constructor(
    readonly model: CompressedModel,
    readonly analysis: GroupAnalysis,
    readonly propagation: Propagation,
    readonly params: MaskedParam[],
    readonly options: FilterPruningOptions,
  ) {
    this.ctx = { graph: model.graph, analysis, consumed: propagation.consumed };
    this.keep = analysis.groups.map((g) => new Uint8Array(g.channels).fill(1));
    this.rankingCoeffs = new Map(this.prunedLayers().map((n) => [n, [1, 0] as const]));
    this.full = costOf(this.ctx, this.keep);
    this.current = this.full;
    this.minCost = costOf(this.ctx, uniformCountMasks(this.ctx, 1));
    this.scheduler = new PruningScheduler(this, { ...options.schedule, initialLevel: options.pruningInit });
    this.setPruningLevel(options.pruningInit);
  }

  get groups() {
    return this.analysis.groups;
  }

  /** Node names of every pruned layer, group by group (NNCF's pruned_module_groups_info.get_all_nodes()). */
  prunedLayers(): string[] {
    return this.groups.flatMap((g) => g.members.map((l) => l.node.name));
  }

  /** Sets the ranking coefficients (LeGR) and recomputes the masks at the current level. */
  setRankingCoeffs(coeffs: RankingCoeffs): void {
    const layers = this.prunedLayers();
    const missing = layers.filter((l) => !coeffs.has(l));
    if (missing.length > 0) throw new Error(`filter_pruning: ranking coefficients missing for the pruned layer(s) ${missing.join(', ')}`);
    this.rankingCoeffs = new Map(layers.map((l) => [l, coeffs.get(l)!]));
  }

  /** LeGR: raw filter importances of each pruned layer (NNCF's LeGRPruner.init_filter_norms). */
  layerNorms(): Map<string, Float64Array> {
    return new Map(this.groups.flatMap((g) => g.members.map((l) => [l.node.name, this.layerImportance(l, false)] as const)));
  }

  /** LeGR episode: masks at `level` ranked with `coeffs` (NNCF's LeGRPruner.prune). */
  pruneWith(level: number, coeffs: RankingCoeffs): void {
    const saved = this.rankingCoeffs;
    this.setRankingCoeffs(coeffs);
    try {
      const frozen = this.frozen;
      this.frozen = false;
      this.setPruningLevel(level);
      this.frozen = frozen;
    } finally {
      this.rankingCoeffs = saved;
    }
  }

  /** LeGR: every filter kept again (NNCF's LeGRPruner._reset_masks). */
  resetMasks(): void {
    this.keep = this.groups.map((g) => new Uint8Array(g.channels).fill(1));
    updateMasks(this.params, this.keep);
    this.current = costOf(this.ctx, this.keep);
  }

  /** The level last set (NNCF pruning_level): a share of filters, or of FLOPs in FLOPs mode. */
  get pruningLevel(): number {
    return this.level;
  }

  get cost(): ModelCost {
    return this.current;
  }

  /** Per-group share of pruned filters (NNCF current_groupwise_pruning_level). */
  groupLevels(): number[] {
    return this.keep.map((k) => maskLevel(k));
  }

  freeze(freeze = true): void {
    this.frozen = freeze;
  }

  /**
   * NNCF set_pruning_level: a number sets the global level (filters, or FLOPs with
   * pruning_flops_target); an object {group id: level} sets levels per group (not with all_weights).
   */
  setPruningLevel(level: number | Record<number, number>): void {
    const perGroup = typeof level === 'object';
    if (!this.frozen) {
      if (perGroup && this.options.allWeights) throw new Error('filter_pruning: cannot set group-wise pruning levels with all_weights: true');
      if (perGroup) {
        const ids = this.groups.map((g) => g.id);
        const keys = Object.keys(level).map(Number);
        if (keys.length !== ids.length || !ids.every((id) => keys.includes(id)))
          throw new Error(`filter_pruning: group-wise pruning levels must name every group id (${ids.join(', ')}), got ${keys.join(', ')}`);
      }
      this.keep = this.masksFor(level);
      updateMasks(this.params, this.keep);
    }
    this.current = costOf(this.ctx, this.keep);
    this.level = perGroup ? this.weightedLevel() : level;
  }

  private masksFor(level: number | Record<number, number>): Uint8Array[] {
    if (this.groups.length === 0) return [];
    const { allWeights, pruneFlops } = this.options;
    const importances = this.importances(allWeights);
    if (typeof level === 'object') return uniformMasks(importances, (g) => level[g]);
    if (allWeights) return pruneFlops ? (level > 0 ? globalMasksForFlops(this.ctx, importances, this.full.flops, level) : importances.map((i) => new Uint8Array(i.length).fill(1))) : globalMasks(importances, level);
    const uniform = pruneFlops ? uniformLevelForFlops(this.ctx, this.full.flops, level) : level;
    return uniformMasks(importances, () => uniform);
  }

  /**
   * Summed importance of each group's filters over its members: L2-normalised weights with all_weights,
   * or, with learned_ranking and all_weights, a·importance + b of the raw weights (NNCF's LeGR ranking).
   */
  private importances(allWeights: boolean): Float64Array[] {
    const learned = allWeights && this.options.learnedRanking === true;
    return this.groups.map((g) => {
      const sum = new Float64Array(g.channels);
      for (const l of g.members) {
        const imp = this.layerImportance(l, allWeights && !learned);
        const [a, b] = learned ? this.rankingCoeffs.get(l.node.name)! : [1, 0];
        for (let i = 0; i < sum.length; i++) sum[i] += a * imp[i] + b;
      }
      return sum;
    });
  }

  private layerImportance(l: { weight: string; outAxis: number }, normalize: boolean): Float64Array {
    const w = this.model.engine.getWeight(l.weight);
    const values = w.dataSync() as Float32Array;
    const dims = w.shape;
    w.dispose();
    return filterImportance(this.options.filterImportance, values, dims, l.outAxis, normalize);
  }

  /** NNCF _calculate_global_weight_pruning_level: member levels weighted by their weight + bias sizes. */
  private weightedLevel(): number {
    let full = 0;
    let pruned = 0;
    const g = this.model.graph;
    const size = (n?: string) => (n ? (g.initializers.get(n)?.dims.reduce((a, b) => a * b, 1) ?? 0) : 0);
    this.groups.forEach((grp, i) => {
      const lvl = maskLevel(this.keep[i]);
      for (const l of grp.members) {
        const count = size(l.weight) + size(l.bias);
        full += count;
        pruned += count * lvl;
      }
    });
    return full === 0 ? 0 : pruned / full;
  }

  get compressionRate(): number {
    return this.options.pruneFlops ? 1 - this.current.flops / this.full.flops : this.level;
  }

  set compressionRate(rate: number) {
    const frozen = this.frozen;
    this.frozen = false;
    this.setPruningLevel(rate);
    this.frozen = frozen;
  }

  get maximalCompressionRate(): number {
    return this.options.pruneFlops ? 1 - this.minCost.flops / Math.max(this.full.flops, 1) : 1;
  }

  compressionStage(): CompressionStage {
    const target = this.scheduler.targetLevel;
    if (this.level === 0) return CompressionStage.UNCOMPRESSED;
    if (Math.abs(this.level - target) <= 1e-5 || this.level > target) return CompressionStage.FULLY_COMPRESSED;
    return CompressionStage.PARTIALLY_COMPRESSED;
  }

  /** Levels and masks change at epoch steps only (and LeGR / accuracy-aware work between epochs). */
  hostSync(): HostSync {
    return { step: 'none', loss: false };
  }

  loss(): tf.Scalar {
    return tf.scalar(0);
  }

  statistics(): Statistics {
    return pruningStatistics(this);
  }

  disableScheduler(): void {
    const level = this.scheduler.currentPruningLevel;
    this.scheduler = new PruningScheduler({ setPruningLevel: () => {}, freeze: () => {} }, { ...this.scheduler.params, schedule: 'baseline', targetLevel: level, numInitSteps: 0 });
  }

  prepareForExport(): void {}

  editExportGraph(graph: Graph): void {
    if (this.keepShape) return zeroMaskedParams(graph, this.params, this.keep);
    // quantizers follow the slices (compression/export-slices): the smaller model is exported quantized.
    // Other algorithms' ops on these layers keep the full shapes.
    const others = this.model.commands().filter((c) => c.owner !== this.name && c.owner !== 'quantization');
    if (others.length > 0)
      throw new Error(
        `filter_pruning: the physically smaller export is not built next to ${[...new Set(others.map((c) => c.owner))].join(', ')}: ` +
          'export with --keep-shape (keepShape), or prune and export first, then compress the smaller model',
      );
    prunePhysically(graph, this.analysis, this.propagation, this.params, this.keep);
  }

  compressionVariables(): tf.Variable[] {
    return [];
  }

  getState(): ControllerState {
    return {
      scheduler_state: this.scheduler.getState(),
      compression_stage: this.compressionStage(),
      pruning_level: this.level,
      frozen: this.frozen,
      masks: this.keep.map((k) => Array.from(k)),
    };
  }

  loadState(state: ControllerState): void {
    this.scheduler.loadState(state.scheduler_state);
    const masks = state.masks as number[][] | undefined;
    if (masks && masks.length === this.keep.length && masks.every((m, i) => m.length === this.keep[i].length)) {
      this.keep = masks.map((m) => Uint8Array.from(m));
      updateMasks(this.params, this.keep);
      this.current = costOf(this.ctx, this.keep);
    }
    if (typeof state.pruning_level === 'number') this.level = state.pruning_level;
    if (typeof state.frozen === 'boolean') this.frozen = state.frozen;
  }

  dispose(): void {
    for (const p of this.params) p.mask.dispose();
  }
}
