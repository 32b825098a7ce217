import type { GraphNode } from '../../../graph/index.js';
import type { ChannelMap } from './channel-map.js';
import type { Flow } from './flow.js';
import type { LayerInfo } from './layers.js';
import { traitOf } from './traits/index.js';

export interface Propagation {
  /** Channel map of every non-constant tensor some pruned filter reaches. */
  maps: Map<string, ChannelMap>;
  /** Layers that read a mapped input: the map on their data input (input 0). */
  consumed: Map<string, ChannelMap>;
  /** Maps that reach a graph output. */
  atOutputs: ChannelMap[];
  /** Maps that could not pass an op, with the reason. */
  conflicts: { maps: ChannelMap[]; reason: string }[];
  /** Maps joined by elementwise ops: their sources share a mask. */
  joins: ChannelMap[][];
}

/**
 * Sends channel maps through the graph in topological order (NNCF's MaskPropagationAlgorithm):
 * each layer in `seeds` emits its map, every other op transforms its inputs' maps by its trait.
 */
export function propagateMaps(flow: Flow, layers: ReadonlyMap<string, LayerInfo>, seed: (layer: LayerInfo) => ChannelMap | null): Propagation {
  const { graph } = flow;
  const result: Propagation = { maps: new Map(), consumed: new Map(), atOutputs: [], conflicts: [], joins: [] };
  const channels = (t: string): number | undefined => {
    const s = graph.tensor(t)?.shape;
    return s && typeof s[1] === 'number' ? s[1] : undefined;
  };
  for (const node of flow.nodes) {
    const layer = layers.get(node.name);
    const inputs = node.inputs.map((t) => (flow.isConst(t) ? null : (result.maps.get(t) ?? null)));
    if (layer && inputs[0]) result.consumed.set(node.name, inputs[0]);
    const out = traitOf(node).propagate({
      graph, node, layer, inputs, seed: layer ? seed(layer) : null, channels,
      join: (maps) => result.joins.push([...maps]),
      conflict: (maps, reason) => result.conflicts.push({ maps: maps.filter((m): m is ChannelMap => m !== null), reason }),
    });
    if (out) setOutput(result, node, out);
  }
  for (const o of graph.outputs) {
    const m = result.maps.get(o.name);
    if (m) result.atOutputs.push(m);
  }
  return result;
}

function setOutput(result: Propagation, node: GraphNode, map: ChannelMap): void {
  // Dropout's mask output and the like are not channel data: only output 0 carries the map
  if (node.outputs[0]) result.maps.set(node.outputs[0], map);
}
