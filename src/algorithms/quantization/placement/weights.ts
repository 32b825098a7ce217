import { METATYPES, scopeOf, shouldConsiderScope, weightOf, type Graph, type GraphNode, type Metatype } from '../../../graph/index.js';
import { allowedQConfigs, applyConstraints, constrainQConfigs, type QuantizerConfig } from '../../../hardware/index.js';
import { DEFAULT_QUANTIZER_CONFIG } from './options.js';
import { scopedConstraints, type ResolvedSettings } from './settings.js';
import type { QuantizerSpec } from './spec.js';
import type { UnitGraph } from './units.js';

/**
 * Pass 2 — weight quantizers: one per weighted op that leads its unit (a weighted op inside a fused
 * pattern after the first op gets none, as in NNCF) and that the weights group's scopes consider.
 * A weight tensor read by several ops (shared module) gets one quantizer with several points.
 * Configs: HW list for the op ∩ constraints (error when empty), or the default config with the
 * constraints applied when the HW config is absent (TRIAL) or leaves the op's weights open.
 */
export function placeWeightQuantizers(graph: Graph, ug: UnitGraph, s: ResolvedSettings): QuantizerSpec[] {
  const byTensor = new Map<string, QuantizerSpec>();
  const firstConvs = s.overflowFix === 'first_layer_only' ? firstConvolutions(graph, ug.metatypes) : new Set<string>();
  for (const unit of ug.units) {
    const node = unit.first;
    const scope = scopeOf(node);
    const w = weightOf(graph, node, unit.metatype);
    if (!w || !shouldConsiderScope(scope, s.scopes.weights)) continue;
    const existing = byTensor.get(w.tensor);
    if (existing) {
      existing.points.push({ kind: 'weight', node: node.name, port: w.port, tensor: w.tensor });
      existing.quantizedNodes.push(scope);
      continue;
    }
    const { c, initializer } = scopedConstraints(s, 'weights', scope);
    const hwNames = METATYPES[unit.metatype].hwConfigNames;
    const listed = s.hw ? allowedQConfigs(s.hw, hwNames, 'weights') : undefined;
    const configs: QuantizerConfig[] =
      listed && listed.length > 0
        ? constrainQConfigs(listed, c, { group: 'weights', targetDevice: s.targetDevice, location: scope, hwOp: hwNames.join('/') })
        : [applyConstraints(DEFAULT_QUANTIZER_CONFIG, c)];
    const q = configs[0];
    const halfRange = q.bits === 8 && s.overflowFixApplies && (s.overflowFix === 'enable' || (s.overflowFix === 'first_layer_only' && firstConvs.has(node.name)));
    byTensor.set(w.tensor, {
      id: `${scope}|WEIGHT`,
      kind: 'weight',
      points: [{ kind: 'weight', node: node.name, port: w.port, tensor: w.tensor }],
      bits: q.bits,
      mode: q.mode,
      signed: q.signed,
      perChannel: q.perChannel,
      channelAxis: q.perChannel ? w.channelAxis : undefined,
      narrowRange: q.bits === 8 && !halfRange,
      halfRange,
      logarithmScale: s.logarithmScale.weights,
      quantizedNodes: [scope],
      allowedConfigs: configs,
      initializerOverride: initializer,
    });
  }
  return [...byTensor.values()];
}

const FIRST_LAYER_METATYPES: ReadonlySet<Metatype> = new Set(['Conv2d', 'Conv3d', 'DepthwiseConv2d', 'DepthwiseConv3d']);

/** NNCF `get_first_nodes_of_type(graph, [conv2d, conv3d])`: convs reachable from an input with no conv before them. */
export function firstConvolutions(graph: Graph, metatypes: ReadonlyMap<string, Metatype>): Set<string> {
  const found = new Set<string>();
  const seen = new Set<string>();
  const queue: GraphNode[] = graph.inputs.flatMap((i) => [...graph.consumers(i.name)]);
  while (queue.length > 0) {
    const n = queue.shift()!;
    if (seen.has(n.name)) continue;
    seen.add(n.name);
    if (FIRST_LAYER_METATYPES.has(metatypes.get(n.name) ?? 'Unknown')) {
      found.add(n.name);
      continue;
    }
    for (const o of n.outputs) queue.push(...graph.consumers(o));
  }
  return found;
}
