import type { Graph } from '../../graph/index.js';
import { keptChannels, type ChannelMap } from './groups/index.js';
import type { GroupAnalysis, LayerInfo } from './groups/index.js';

/** FLOPs and parameters of one conv/linear layer, as NNCF's WeightsFlopsCalculator counts them. */
export interface LayerCost {
  name: string;
  flops: number;
  params: number;
  inChannels: number;
  outChannels: number;
}

export interface ModelCost {
  flops: number;
  params: number;
  filters: number;
  layers: LayerCost[];
}

const prod = (dims: readonly unknown[]) => dims.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);

/**
 * Counts every conv and linear layer (biases, norms and other ops are not counted): conv FLOPs =
 * 2·k·in·(out/groups)·H_out·W_out (a pruned depthwise conv counts 1 filter per channel), linear FLOPs =
 * 2·in·out·prod(output dims but the last) with a symbolic batch counted as 1; parameters = weights.
 * `keep` gives each pruning group's filter mask (absent = unpruned); `maps` are the channel maps of the
 * analysis (which group's filters each layer reads).
 */
/** Overrides for elastic subnets (NNCF's kernel_sizes and op_addresses_to_skip of count_flops_and_weights). */
export interface CostOverrides {
  /** The active kernel of a conv by node name (absent: the weight's own). */
  kernel?: (node: string) => readonly number[] | undefined;
  /** Layers not run (skipped blocks): they count nothing. */
  skip?: ReadonlySet<string>;
}

export function countCost(
  graph: Graph,
  analysis: GroupAnalysis,
  consumed: ReadonlyMap<string, ChannelMap>,
  keep: (group: number) => ArrayLike<number> | undefined,
  overrides: CostOverrides = {},
): ModelCost {
  const groupOf = new Map<string, number>();
  for (const g of analysis.groups) for (const m of g.members) groupOf.set(m.node.name, g.id);
  const kept = (m: ArrayLike<number>) => Array.from(m).reduce((a, b) => a + (b ? 1 : 0), 0);
  const layers: LayerCost[] = [];
  for (const l of analysis.layers.values()) {
    if (overrides.skip?.has(l.node.name)) continue;
    const g = groupOf.get(l.node.name);
    const gk = g === undefined ? undefined : keep(g);
    const outC = gk ? kept(gk) : l.outChannels;
    const map = consumed.get(l.node.name);
    const inC = map && map.source.length === l.inChannels ? kept(keptChannels(map, keep)) : l.inChannels;
    const kernel = overrides.kernel?.(l.node.name) ?? l.kernel;
    layers.push({ name: l.node.name, ...cost(graph, l, inC, outC, kernel), inChannels: inC, outChannels: outC });
  }
  return {
    flops: layers.reduce((a, l) => a + l.flops, 0),
    params: layers.reduce((a, l) => a + l.params, 0),
    filters: layers.reduce((a, l) => a + l.outChannels, 0),
    layers,
  };
}

function cost(graph: Graph, l: LayerInfo, inC: number, outC: number, kernel: readonly number[]): { flops: number; params: number } {
  const outShape = graph.tensor(l.node.outputs[0])?.shape ?? [];
  if (l.kind === 'linear') {
    const w = inC * outC;
    return { flops: 2 * w * prod(outShape.slice(0, -1)), params: w };
  }
  const perChannel = l.depthwise ? 1 : Math.floor(outC / l.group);
  const w = prod(kernel) * inC * perChannel;
  return { flops: 2 * w * prod(outShape.slice(2)), params: w };
}
