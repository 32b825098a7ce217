/**
 * Elastic width over a model (NNCF's ElasticWidthBuilder/Handler) on filter pruning's channel-dependency
 * groups, found as NNCF's elastic width finds them (first and downsampling convolutions included). A
 * group's width w keeps w of its channels: every member's filters and bias and every norm the channels
 * reach are multiplied by a 0/1 mask — the generic Mask node of the compression domain, its mask a fed
 * input — so a new subnet is a new mask value, with nothing rebuilt or recompiled.
 *
 * Which w channels: NNCF's reorganize_weights sorts each group's filters by importance (L1 by default,
 * summed over the group's members) and physically permutes them and their consumers' inputs, so that
 * the first w are the most important. Here the permutation stays virtual: `order[g]` lists the group's
 * channels by importance and width w keeps order[g][0..w). The network computes exactly the same function
 * (channel order does not matter to it), no weight has to move, and the exported subnet keeps the kept
 * channels in their original order.
 */
import type { CompressedModel } from '../../../compression/index.js';
import type { Random } from '../../../data/random.js';
import { scopeList, validateScopes, type Graph } from '../../../graph/index.js';
import { prunePhysically } from '../../pruning/export-physical.js';
import { findPruningGroups, keptChannels, type ChannelMap, type GroupAnalysis, type Propagation } from '../../pruning/groups/index.js';
import { filterImportance, type FilterImportance } from '../../pruning/importance.js';
import { groupPropagation, maskCommand, maskedParams, updateMasks, type MaskedParam } from '../../pruning/masks.js';
import type { WidthConfig, WidthDimension } from '../elasticity.js';
import { ElasticWidthError, elasticWidthList, type WidthListParams } from './width-list.js';

export const ELASTIC_WIDTH_OWNER = 'elastic_width';
const IMPORTANCES: readonly FilterImportance[] = ['L1', 'L2', 'geometric_median'];

export interface ElasticWidthOptions extends WidthListParams {
  /** NNCF default "L1". */
  filter_importance?: string;
  external_importance_path?: string;
  ignored_scopes?: string | readonly string[];
  target_scopes?: string | readonly string[];
}

export class ElasticWidthHandler implements WidthDimension {
  readonly dim = 'width' as const;
  readonly analysis: GroupAnalysis;
  readonly propagation: Propagation;
  readonly params: MaskedParam[];
  /** Width list of each group, by group id (NNCF's width_list of its ops). */
  readonly widthLists: number[][];
  /**
   * NNCF's width_num_params_indicator: when in 1..list length − 1, only the first that many widths of
   * each list are sampled (progressive shrinking's `width_indicator`); −1 or 0: all.
   */
  widthIndicator = -1;
  private readonly importance: FilterImportance;
  private readonly order: Int32Array[];
  private widths: number[];
  private keep: Uint8Array[];

  constructor(
    private readonly model: CompressedModel,
    opts: ElasticWidthOptions = {},
  ) {
    const imp = opts.filter_importance ?? 'L1';
    if (imp === 'external')
      throw new ElasticWidthError(
        'bootstrapNAS.training.elasticity.width.filter_importance "external" (external_importance_path, a PyTorch tensor file) is not supported in nncf-ts; use L1, L2 or geometric_median',
      );
    if (!IMPORTANCES.includes(imp as FilterImportance))
      throw new ElasticWidthError(`bootstrapNAS.training.elasticity.width.filter_importance "${imp}" is not one of ${IMPORTANCES.join(', ')}`);
    if (opts.external_importance_path !== undefined)
      throw new ElasticWidthError('bootstrapNAS.training.elasticity.width.external_importance_path is only read with filter_importance "external", which nncf-ts does not support');
    this.importance = imp as FilterImportance;
    const graph = model.graph;
    const filter = { ignoredScopes: scopeList(opts.ignored_scopes), targetScopes: scopeList(opts.target_scopes) };
    validateScopes(graph.nodes.map((n) => n.name), filter, true, 'bootstrapNAS elasticity (width)');
    // NNCF's elastic width groups: PruningNodeSelector with prune_first and prune_downsample_convs on
    this.analysis = findPruningGroups(graph, { pruneFirst: true, pruneDownsample: true, ...filter });
    this.propagation = groupPropagation(this.analysis);
    this.widthLists = this.analysis.groups.map((g) => elasticWidthList(g.channels, opts));
    this.params = maskedParams(graph, this.analysis, this.propagation, true);
    for (const p of this.params) model.apply(maskCommand(p, graph.initializers.get(p.name)!.dims.length, ELASTIC_WIDTH_OWNER));
    this.order = this.analysis.groups.map((g) => Int32Array.from({ length: g.channels }, (_, i) => i));
    this.widths = this.analysis.groups.map((g) => g.channels);
    this.keep = this.analysis.groups.map((g) => new Uint8Array(g.channels).fill(1));
  }

  get consumed(): ReadonlyMap<string, ChannelMap> {
    return this.propagation.consumed;
  }

  /** Each group's channels, most important first (identity until reorganizeWeights). */
  channelOrder(): Int32Array[] {
    return this.order.map((o) => Int32Array.from(o));
  }

  /** Sets the channel order directly (e.g. restored from a checkpoint); each must be a permutation of its group. */
  setChannelOrder(order: readonly ArrayLike<number>[]): void {
    if (order.length !== this.order.length) throw new ElasticWidthError(`elastic width: ${order.length} channel orders for ${this.order.length} groups`);
    order.forEach((o, g) => {
      const n = this.order[g].length;
      const seen = new Uint8Array(n);
      for (let i = 0; i < o.length; i++) if (Number.isInteger(o[i]) && o[i] >= 0 && o[i] < n) seen[o[i]] = 1;
      if (o.length !== n || seen.some((v) => !v)) throw new ElasticWidthError(`elastic width: the channel order of group ${g} is not a permutation of 0..${n - 1}`);
    });
    order.forEach((o, g) => this.order[g].set(Array.from(o)));
    this.refreshMasks();
  }

  /**
   * NNCF reorganize_weights: per group, the filter importance summed over its members (on the raw
   * weights), channels sorted by it in descending order (ties: lower index first). The active widths stay.
   */
  reorganizeWeights(): void {
    this.analysis.groups.forEach((g, gi) => {
      const sum = new Float64Array(g.channels);
      for (const l of g.members) {
        const w = this.model.engine.getWeight(l.weight);
        const imp = filterImportance(this.importance, w.dataSync() as Float32Array, w.shape, l.outAxis);
        w.dispose();
        for (let i = 0; i < sum.length; i++) sum[i] += imp[i];
      }
      const idx = Array.from({ length: g.channels }, (_, i) => i).sort((a, b) => sum[b] - sum[a] || a - b);
      this.order[gi].set(idx);
    });
    this.refreshMasks();
  }

  /** The widths a group can take now (the list, cut by widthIndicator). */
  private listOf(g: number): number[] {
    const list = this.widthLists[g];
    const n = this.widthIndicator > 0 && this.widthIndicator < list.length ? this.widthIndicator : list.length;
    return list.slice(0, n);
  }

  searchSpace(): Record<number, number[]> {
    return Object.fromEntries(this.widthLists.map((_, g) => [g, this.listOf(g)]));
  }

  activeConfig(): WidthConfig {
    return Object.fromEntries(this.widths.map((w, g) => [g, w]));
  }

  minimumConfig(): WidthConfig {
    return Object.fromEntries(this.widthLists.map((_, g) => [g, Math.min(...this.listOf(g))]));
  }

  maximumConfig(): WidthConfig {
    return Object.fromEntries(this.widthLists.map((_, g) => [g, Math.max(...this.listOf(g))]));
  }

  /** NNCF get_random_config: per group a width drawn uniformly from its (indicator-cut) list. */
  randomConfig(rng: Random): WidthConfig {
    return Object.fromEntries(this.widthLists.map((_, g) => {
      const list = this.listOf(g);
      return [g, list[rng.int(list.length)]];
    }));
  }

  /** Sets the width of each group named (the others keep theirs): a width of its list or the group's full width. */
  activate(config: WidthConfig): void {
    const next = [...this.widths];
    for (const [key, w] of Object.entries(config)) {
      const g = Number(key);
      if (!Number.isInteger(g) || g < 0 || g >= this.widthLists.length)
        throw new ElasticWidthError(`elastic width: no pruning group ${key} (groups 0..${this.widthLists.length - 1})`);
      const max = this.analysis.groups[g].channels;
      if (w !== max && !this.widthLists[g].includes(w))
        throw new ElasticWidthError(`elastic width: width ${w} of group ${g} is not one of ${this.widthLists[g].join(', ')}`);
      next[g] = w;
    }
    this.widths = next;
    this.refreshMasks();
  }

  activeKeep(): readonly Uint8Array[] {
    return this.keep;
  }

  channelKeep(tensor: string): Uint8Array | undefined {
    const map = this.propagation.maps.get(tensor);
    return map ? keptChannels(map, (g) => this.keep[g]) : undefined;
  }

  /**
   * The BatchNorm running statistics whose channels are off in the active subnet, with the channel keep
   * mask: NNCF trims a BN to the active channels, so a training step leaves the others' running mean and
   * variance untouched; a trainer restores them after each step (`new = keep ? new : old`).
   */
  inactiveRunningStats(): { name: string; keep: Uint8Array }[] {
    const out: { name: string; keep: Uint8Array }[] = [];
    for (const n of this.analysis.flow.nodes) {
      if (n.opType !== 'BatchNormalization') continue;
      const map = this.propagation.maps.get(n.inputs[0]);
      if (!map) continue;
      const keep = keptChannels(map, (g) => this.keep[g]);
      if (keep.every((v) => v === 1)) continue;
      for (const p of [3, 4]) if (n.inputs[p]) out.push({ name: n.inputs[p], keep });
    }
    return out;
  }

  /** The channel order (NNCF keeps it in the reorganized weights; here it is state) and the width indicator. */
  getState(): Record<string, unknown> {
    return { channel_order: this.order.map((o) => Array.from(o)), width_indicator: this.widthIndicator };
  }

  loadState(state: Record<string, unknown>): void {
    const order = state.channel_order;
    if (!Array.isArray(order)) throw new ElasticWidthError('elastic width state: channel_order must be a list of channel lists');
    this.setChannelOrder(order as number[][]);
    if (typeof state.width_indicator === 'number') this.widthIndicator = state.width_indicator;
  }

  /** The subnet's channels physically: filter pruning's export with the active keep masks. */
  editExportGraph(graph: Graph): void {
    prunePhysically(graph, this.analysis, this.propagation, this.params, this.keep);
  }

  dispose(): void {
    this.model.removeCommands(ELASTIC_WIDTH_OWNER);
    for (const p of this.params) p.mask.dispose();
  }

  private refreshMasks(): void {
    this.keep = this.widths.map((w, g) => {
      const k = new Uint8Array(this.order[g].length);
      for (let j = 0; j < w; j++) k[this.order[g][j]] = 1;
      return k;
    });
    updateMasks(this.params, this.keep);
  }
}

