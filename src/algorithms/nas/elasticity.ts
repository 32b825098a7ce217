/**
 * BootstrapNAS's multi-elasticity contract (NNCF's MultiElasticityHandler over its single-dimension
 * handlers): one object that activates a subnet of the supernet (a width per pruning group, a kernel
 * per elastic convolution, a set of skipped blocks), samples random subnets, gives the search space,
 * counts the MACs of the active subnet and exports any subnet as a standalone, physically smaller graph.
 *
 * Each dimension plugs in through its own small interface; any of them may be absent. Activation only
 * changes values the hooks and graph nodes read (masks, kernel sizes, skip flags), so progressive
 * shrinking can switch subnets every step without rebuilding or recompiling anything.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { graphWithEngineWeights, type CompressedModel } from '../../compression/index.js';
import type { Random } from '../../data/random.js';
import { Graph } from '../../graph/index.js';
import { countCost, type ModelCost } from '../pruning/flops.js';
import { findPruningGroups, type ChannelMap, type GroupAnalysis } from '../pruning/groups/index.js';

export type ElasticityDim = 'width' | 'kernel' | 'depth';
/** NNCF's order of ElasticityDim when a subnet config is written out. */
export const ELASTICITY_DIMS: readonly ElasticityDim[] = ['kernel', 'width', 'depth'];

/** Pruning-group id → active number of output channels (NNCF ElasticWidthConfig). */
export type WidthConfig = Record<number, number>;
/** One kernel size per elastic convolution, in graph order (NNCF ElasticKernelConfig). */
export type KernelConfig = number[];
/** Ids of the skipped blocks (NNCF ElasticDepthConfig). */
export type DepthConfig = number[];

/** A subnet: each present dimension's configuration; an absent one stays as it is. */
export interface SubnetConfig {
  width?: WidthConfig;
  kernel?: KernelConfig;
  depth?: DepthConfig;
}

export class ElasticityError extends Error {
  override name = 'ElasticityError';
}

/** What every elastic dimension offers (NNCF SingleElasticityHandler). */
export interface ElasticDimension<C, S> {
  readonly dim: ElasticityDim;
  /** The choices of this dimension (kernel: sizes per conv; width: widths per group; depth: the allowed skip sets). */
  searchSpace(): S;
  activeConfig(): C;
  /** Activates a configuration; throws an ElasticityError-like error naming the bad value. */
  activate(config: C): void;
  minimumConfig(): C;
  maximumConfig(): C;
  randomConfig(rng: Random): C;
  /**
   * Turns `graph` — a copy of the model's graph holding the engine's current raw weights — into the
   * physically smaller graph of the active configuration (the other dimensions edit it too).
   */
  editExportGraph(graph: Graph): void;
  /** Parameters the dimension adds (kernel: the K→k transforms), trained with the model's weights. */
  trainableVariables?(): tf.Variable[];
  /** What a checkpoint must keep beyond the active config and the variables (width: the channel order). */
  getState?(): Record<string, unknown>;
  loadState?(state: Record<string, unknown>): void;
  dispose(): void;
}

/** A checkpoint of the handler: enabled dimensions, the active subnet, each dimension's own state. */
export interface MultiElasticityState {
  enabled: ElasticityDim[];
  active: SubnetConfig;
  dims: Partial<Record<ElasticityDim, Record<string, unknown>>>;
}

export interface KernelDimension extends ElasticDimension<KernelConfig, number[][]> {
  readonly dim: 'kernel';
  /** Active kernel size of each elastic conv by node name (for MACs). */
  activeKernels(): Map<string, number>;
}

export interface WidthDimension extends ElasticDimension<WidthConfig, Record<number, number[]>> {
  readonly dim: 'width';
  /** The pruning groups and the channel maps their consumers read (for MACs). */
  readonly analysis: GroupAnalysis;
  readonly consumed: ReadonlyMap<string, ChannelMap>;
  /** Each group's active keep mask (1 = channel on), by group id. */
  activeKeep(): readonly Uint8Array[];
  /**
   * Which channels of a graph tensor the active widths keep (undefined: no elastic group reaches it).
   * A skipped block must have the same kept channels at its start and end (NNCF's
   * find_pairs_of_nodes_with_different_width), or its export would not fit.
   */
  channelKeep(tensor: string): Uint8Array | undefined;
}

export interface DepthDimension extends ElasticDimension<DepthConfig, DepthConfig[]> {
  readonly dim: 'depth';
  /** Names of the conv/linear nodes inside the skipped blocks (they count no MACs). */
  skippedNodes(): string[];
  /** Each block's [input tensor, output tensor], by block id (for the width check on skipping). */
  blockBoundaries?(): [string, string][];
}

export interface ElasticDimensions {
  kernel?: KernelDimension;
  width?: WidthDimension;
  depth?: DepthDimension;
}

/**
 * The handlers of the elastic dimensions together. Dimensions can be disabled (progressive shrinking
 * enables them stage by stage): a disabled one is left out of sampling, the search space and configs,
 * and keeps its maximum.
 */
export class MultiElasticityHandler {
  private readonly enabled = new Set<ElasticityDim>();
  private costAnalysis?: GroupAnalysis;

  constructor(
    readonly model: CompressedModel,
    readonly dims: ElasticDimensions,
  ) {
    for (const d of ELASTICITY_DIMS) if (dims[d]) this.enabled.add(d);
  }

  /** The dimensions present, in NNCF's order. */
  availableDims(): ElasticityDim[] {
    return ELASTICITY_DIMS.filter((d) => this.dims[d]);
  }

  enable(dim: ElasticityDim, on = true): void {
    if (!this.dims[dim]) throw new ElasticityError(`elastic ${dim} is not built for this model (available: ${this.availableDims().join(', ') || 'none'})`);
    if (on) this.enabled.add(dim);
    else {
      this.enabled.delete(dim);
      this.activateMax(dim);
    }
  }

  isEnabled(dim: ElasticityDim): boolean {
    return this.enabled.has(dim);
  }

  private active(): ElasticityDim[] {
    return ELASTICITY_DIMS.filter((d) => this.dims[d] && this.enabled.has(d));
  }

  /**
   * Activates each dimension named in `config` (it must be enabled); the others keep their state.
   * Returns what is now active for the dimensions named: the depth handler may drop blocks (its
   * progressive rule), and a block whose start and end tensors keep different channels under the
   * active widths is not skipped (NNCF's resolve_conflicts_with_other_elasticities).
   */
  activate(config: SubnetConfig): SubnetConfig {
    for (const d of Object.keys(config) as ElasticityDim[]) {
      if (!ELASTICITY_DIMS.includes(d)) throw new ElasticityError(`subnet config: unknown elasticity dimension "${d}" (one of ${ELASTICITY_DIMS.join(', ')})`);
      if (config[d] === undefined) continue;
      if (!this.dims[d]) throw new ElasticityError(`subnet config names ${d}, but elastic ${d} is not built for this model`);
      if (!this.enabled.has(d)) throw new ElasticityError(`subnet config names ${d}, but elastic ${d} is disabled`);
    }
    // width first: a depth handler may check the block boundaries against the active widths
    if (config.width && this.dims.width) this.dims.width.activate(config.width);
    if (config.kernel && this.dims.kernel) this.dims.kernel.activate(config.kernel);
    if (config.depth && this.dims.depth) this.dims.depth.activate(this.resolveDepth(config.depth));
    const now = this.activeConfig();
    return Object.fromEntries(Object.keys(config).map((d) => [d, now[d as ElasticityDim]])) as SubnetConfig;
  }

  /** The blocks of `blocks` whose boundaries keep the same channels (an absent keep = all channels). */
  private resolveDepth(blocks: DepthConfig): DepthConfig {
    const width = this.dims.width;
    const bounds = this.dims.depth?.blockBoundaries?.();
    if (!width || !bounds) return blocks;
    const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) => {
      if (!a && !b) return true;
      const n = (a ?? b)!.length;
      for (let i = 0; i < n; i++) if ((a ? a[i] : 1) !== (b ? b[i] : 1)) return false;
      return true;
    };
    return blocks.filter((b) => {
      const pair = bounds[b];
      return !pair || same(width.channelKeep(pair[0]), width.channelKeep(pair[1]));
    });
  }

  activeConfig(): SubnetConfig {
    return this.collect((h) => h.activeConfig());
  }

  minimumConfig(): SubnetConfig {
    return this.collect((h) => h.minimumConfig());
  }

  maximumConfig(): SubnetConfig {
    return this.collect((h) => h.maximumConfig());
  }

  /** A random subnet of the enabled dimensions (kernel, width, depth drawn in that order from `rng`). */
  randomConfig(rng: Random): SubnetConfig {
    return this.collect((h) => h.randomConfig(rng));
  }

  activateMinimum(): void {
    this.activate(this.minimumConfig());
  }

  activateMaximum(): void {
    this.activate(this.maximumConfig());
  }

  /** The original network: every dimension (enabled or not) at its maximum. */
  activateSupernet(): void {
    for (const d of this.availableDims()) this.activateMax(d);
  }

  /** Activates and returns a random subnet (progressive shrinking's per-step sample). */
  sampleRandom(rng: Random): SubnetConfig {
    return this.activate(this.randomConfig(rng));
  }

  searchSpace(): { kernel?: number[][]; width?: Record<number, number[]>; depth?: DepthConfig[] } {
    const out: { kernel?: number[][]; width?: Record<number, number[]>; depth?: DepthConfig[] } = {};
    for (const d of this.active()) {
      if (d === 'kernel') out.kernel = this.dims.kernel!.searchSpace();
      if (d === 'width') out.width = this.dims.width!.searchSpace();
      if (d === 'depth') out.depth = this.dims.depth!.searchSpace();
    }
    return out;
  }

  /**
   * NNCF get_design_vars_info: one integer variable per elastic conv (kernel), per group (width) and a
   * single one for depth (an index into its list of skip sets); the upper bounds are the list lengths − 1.
   */
  designVars(): { count: number; upper: number[] } {
    const s = this.searchSpace();
    const upper = [
      ...(s.kernel ?? []).map((l) => l.length - 1),
      ...Object.values(s.width ?? {}).map((l) => l.length - 1),
      ...(s.depth ? [s.depth.length - 1] : []),
    ];
    return { count: upper.length, upper };
  }

  /** NNCF get_config_from_pymoo: the subnet of a design vector (indices into the search space). */
  configFromVector(x: readonly number[]): SubnetConfig {
    const s = this.searchSpace();
    const { count } = this.designVars();
    if (x.length !== count) throw new ElasticityError(`design vector has ${x.length} entries, the search space ${count}`);
    let at = 0;
    // the next entry of x as an index into `list`
    const pick = <T>(list: readonly T[]): T => {
      const i = x[at];
      if (!Number.isInteger(i) || i < 0 || i >= list.length) throw new ElasticityError(`design vector entry ${at} is ${i}, outside 0..${list.length - 1}`);
      at++;
      return list[i];
    };
    const out: SubnetConfig = {};
    if (s.kernel) out.kernel = s.kernel.map((l) => pick(l));
    if (s.width) {
      const w: WidthConfig = {};
      for (const [g, l] of Object.entries(s.width)) w[Number(g)] = pick(l);
      out.width = w;
    }
    if (s.depth) out.depth = [...pick(s.depth)];
    return out;
  }

  /** FLOPs and weights of the active subnet's conv/linear layers, NNCF's count_flops_and_weights_for_active_subnet. */
  cost(): ModelCost {
    const { width, kernel, depth } = this.dims;
    const analysis = width?.analysis ?? (this.costAnalysis ??= findPruningGroups(this.model.graph, { pruneFirst: true, pruneDownsample: true }));
    const consumed = width?.consumed ?? new Map<string, ChannelMap>();
    const keep = width?.activeKeep();
    const kernels = kernel?.activeKernels();
    const skip = depth ? new Set(depth.skippedNodes()) : undefined;
    return countCost(this.model.graph, width ? analysis : { ...analysis, groups: [] }, consumed, (g) => keep?.[g], {
      kernel: kernels ? (n) => (kernels.has(n) ? [kernels.get(n)!, kernels.get(n)!] : undefined) : undefined,
      skip,
    });
  }

  /** MACs of the active subnet (FLOPs / 2, as NNCF's search reports them). */
  macs(): number {
    return this.cost().flops / 2;
  }

  /**
   * The standalone, physically smaller graph of `config` (the active subnet when omitted): channels
   * beyond each group's width dropped, kernels cropped with their padding reduced, skipped blocks cut
   * out. The active subnet is restored afterwards.
   */
  exportSubnet(config?: SubnetConfig): Graph {
    const before = this.activeConfig();
    try {
      if (config) this.activate(config);
      const graph = graphWithEngineWeights(this.model);
      // width and kernel keep the topology; depth (which removes nodes) edits last
      for (const d of ['width', 'kernel', 'depth'] as const) this.dims[d]?.editExportGraph(graph);
      graph.reindex();
      return graph;
    } finally {
      if (config) this.activate(before);
    }
  }

  /** The dimensions' own parameters (the kernel transforms), for the optimizer and checkpoints. */
  trainableVariables(): tf.Variable[] {
    return this.availableDims().flatMap((d) => this.dims[d]!.trainableVariables?.() ?? []);
  }

  getState(): MultiElasticityState {
    const dims: MultiElasticityState['dims'] = {};
    const active: Record<string, unknown> = {};
    for (const d of this.availableDims()) {
      const h = this.dims[d] as ElasticDimension<unknown, unknown>;
      active[d] = h.activeConfig();
      const own = h.getState?.();
      if (own) dims[d] = own;
    }
    return { enabled: this.active(), active: active as SubnetConfig, dims };
  }

  /** Restores a getState() of a handler built the same way on the same model. */
  loadState(state: MultiElasticityState): void {
    for (const d of [...state.enabled, ...(Object.keys(state.active) as ElasticityDim[]), ...(Object.keys(state.dims) as ElasticityDim[])])
      if (!this.dims[d]) throw new ElasticityError(`elasticity state names ${d}, which is not built for this model`);
    for (const d of this.availableDims()) {
      const own = state.dims[d];
      if (own) {
        const h = this.dims[d]!;
        if (!h.loadState) throw new ElasticityError(`elasticity state has a ${d} part, but the ${d} handler keeps no state`);
        h.loadState(own);
      }
    }
    this.enabled.clear();
    for (const d of this.availableDims()) this.enabled.add(d);
    this.activate(state.active);
    for (const d of this.availableDims()) if (!state.enabled.includes(d)) this.enable(d, false);
  }

  dispose(): void {
    for (const d of this.availableDims()) this.dims[d]!.dispose();
  }

  private activateMax(d: ElasticityDim): void {
    if (d === 'kernel') this.dims.kernel!.activate(this.dims.kernel!.maximumConfig());
    if (d === 'width') this.dims.width!.activate(this.dims.width!.maximumConfig());
    if (d === 'depth') this.dims.depth!.activate(this.dims.depth!.maximumConfig());
  }

  private collect(get: (h: ElasticDimension<unknown, unknown>) => unknown): SubnetConfig {
    const out: Record<string, unknown> = {};
    for (const d of this.active()) out[d] = get(this.dims[d] as ElasticDimension<unknown, unknown>);
    return out as SubnetConfig;
  }
}
