import type { Graph, GraphNode } from '../../../../graph/index.js';
import type { ChannelMap } from '../channel-map.js';
import type { LayerInfo } from '../layers.js';

/** What a trait sees while channel maps flow through its node (inputs in port order). */
export interface PropagationContext {
  graph: Graph;
  node: GraphNode;
  layer?: LayerInfo;
  /** Map of each input port; null for constants and for inputs no pruned filter reaches. */
  inputs: (ChannelMap | null)[];
  /** For a layer: the map it emits when its filters are pruned (null when they are not). */
  seed: ChannelMap | null;
  /** Channels (axis 1) of a tensor, when its shape is known. */
  channels(tensor: string): number | undefined;
  /** Marks the sources of maps that cannot pass here as unprunable, with the reason. */
  conflict(maps: readonly (ChannelMap | null)[], reason: string): void;
  /** Records that these maps' sources meet channel by channel (an elementwise op): they share one mask. */
  join(maps: readonly ChannelMap[]): void;
}

/**
 * How channel masks pass one op family (NNCF's pruning operations: accept_pruned_input and
 * mask_propagation). One small file per family; the registry maps ONNX op types to them.
 */
export interface PruningTrait {
  readonly family: 'layer' | 'identity' | 'norm' | 'elementwise' | 'concat' | 'flatten' | 'shape' | 'stop';
  /** Can the op take an input whose channels were pruned (NNCF accept_pruned_input)? */
  acceptPrunedInput(node: GraphNode, graph: Graph, layer?: LayerInfo): boolean;
  /** The map of the op's first output. */
  propagate(ctx: PropagationContext): ChannelMap | null;
}

export const firstMap = (maps: readonly (ChannelMap | null)[]): ChannelMap | null => maps.find((m) => m !== null) ?? null;
