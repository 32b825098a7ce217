import {
  activationInputs,
  assignMetatypes,
  findFusedPatterns,
  METATYPES,
  scopeOf,
  shouldConsiderScope,
  type Graph,
  type GraphNode,
  type Metatype,
  type QuantizationTrait,
} from '../../../graph/index.js';
import { allowedQConfigs, hasUnifiedScales, type HwConfig } from '../../../hardware/index.js';
import type { ResolvedSettings } from './settings.js';

/**
 * Pass 1 — units. A unit is one op, or a fused pattern treated as one op (NNCF's merged node): its
 * inputs are the first op's, its output the last op's, its metatype the first op's.
 */
export interface Unit {
  index: number;
  nodes: GraphNode[];
  first: GraphNode;
  metatype: Metatype;
  trait: QuantizationTrait;
  /** activation ignored/target scopes exclude it: no input quantizers, nothing propagates through it. */
  ignored: boolean;
  unifiedScales: boolean;
  /** Activation inputs coming from outside the unit: [consumer node, port, tensor]. */
  inputs: { node: GraphNode; port: number; tensor: string }[];
  /** Tensors leaving the unit (consumed outside or graph outputs). */
  outputs: string[];
  pattern?: string;
}

export interface UnitGraph {
  units: Unit[];
  unitOfNode: Map<string, Unit>;
  metatypes: Map<string, Metatype>;
  fused: { pattern: string; nodes: string[] }[];
}

export function resolveAttrsMode(node: GraphNode): { mode?: string } {
  const m = node.attributes.mode;
  // ONNX Resize modes: nearest | linear | cubic; Upsample the same.
  return m?.type === 'string' ? { mode: m.value } : { mode: 'nearest' };
}

/** NNCF `get_operator_quantization_traits_map`, for one metatype. */
export function traitOf(metatype: Metatype, hw: HwConfig | null, attrs: { mode?: string } = {}): QuantizationTrait {
  const info: { hwConfigNames: readonly string[]; defaultTrait?: QuantizationTrait } = METATYPES[metatype];
  const fallback = info.defaultTrait ?? 'non_quantizable';
  if (!hw) return fallback;
  const list = allowedQConfigs(hw, info.hwConfigNames, 'activations', attrs);
  if (list === undefined) return info.hwConfigNames.length === 0 ? fallback : 'non_quantizable';
  return list.length === 0 ? fallback : 'inputs_quantizable';
}

export function buildUnits(graph: Graph, s: ResolvedSettings): UnitGraph {
  const metatypes = assignMetatypes(graph);
  const matches = findFusedPatterns(graph, metatypes);
  const groupOf = new Map<string, { pattern: string; nodes: GraphNode[] }>();
  for (const m of matches) for (const n of m.nodes) groupOf.set(n.name, m);
  const units: Unit[] = [];
  const unitOfNode = new Map<string, Unit>();
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  for (const node of graph.nodes) {
    if (unitOfNode.has(node.name)) continue;
    const group = groupOf.get(node.name);
    const nodes = group ? group.nodes : [node];
    const inside = new Set(nodes);
    const produced = new Set(nodes.flatMap((n) => n.outputs));
    const first = nodes[0];
    const metatype = metatypes.get(first.name)!;
    const hwNames = METATYPES[metatype].hwConfigNames;
    const unit: Unit = {
      index: units.length,
      nodes,
      first,
      metatype,
      trait: traitOf(metatype, s.hw, resolveAttrsMode(first)),
      // A fused unit is excluded when any of its ops is.
      ignored: nodes.some((n) => !shouldConsiderScope(scopeOf(n), s.scopes.activations)),
      unifiedScales: s.hw !== null && hasUnifiedScales(s.hw, hwNames),
      inputs: nodes.flatMap((n) =>
        activationInputs(graph, n)
          .filter(([, t]) => !produced.has(t))
          .map(([port, tensor]) => ({ node: n, port, tensor })),
      ),
      outputs: [...produced].filter(
        (t) => t !== '' && (graphOutputs.has(t) || graph.consumers(t).some((c) => !inside.has(c))),
      ),
      pattern: group?.pattern,
    };
    if (unit.ignored) unit.trait = 'non_quantizable';
    units.push(unit);
    for (const n of nodes) unitOfNode.set(n.name, unit);
  }
  return {
    units,
    unitOfNode,
    metatypes,
    fused: matches.map((m) => ({ pattern: m.pattern, nodes: m.nodes.map((n) => n.name) })),
  };
}
