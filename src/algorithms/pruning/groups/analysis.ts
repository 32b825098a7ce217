import type { GraphNode } from '../../../graph/index.js';
import type { Flow } from './flow.js';
import type { LayerInfo } from './layers.js';
import { traitOf } from './traits/index.js';

/**
 * NNCF's ModelAnalyzer: which nodes could be pruned without feeding a pruned tensor to an op that
 * cannot take one. `can` starts true; pass 1 (reverse topological order) clears a node when a next node
 * does not accept pruned input or a next mask-passing node cannot be pruned; pass 2 (topological order)
 * clears mask-passing nodes whose inputs cannot all be pruned (Concat: none can).
 */
export function analyseModel(flow: Flow, layers: ReadonlyMap<string, LayerInfo>): Map<string, boolean> {
  const accept = new Map<string, boolean>();
  for (const n of flow.nodes) accept.set(n.name, traitOf(n).acceptPrunedInput(n, flow.graph, layers.get(n.name)));
  const passesMask = (n: GraphNode): boolean => {
    const l = layers.get(n.name);
    return !l || l.depthwise;
  };
  const can = new Map<string, boolean>();
  for (const n of flow.nodes) can.set(n.name, true);
  for (const n of [...flow.nodes].reverse()) {
    const outs = flow.next(n);
    const accepted = outs.every((o) => accept.get(o.name));
    const pruned = outs.filter(passesMask).every((o) => can.get(o.name));
    can.set(n.name, accepted && pruned);
  }
  for (const n of flow.nodes) {
    if (!passesMask(n)) continue;
    const ins = flow.prev(n).map((p) => can.get(p.name)!);
    const all = ins.every(Boolean);
    const any = ins.some(Boolean);
    const isConcat = n.opType === 'Concat';
    if ((!isConcat && !all) || (isConcat && !any)) can.set(n.name, all);
  }
  return can;
}
