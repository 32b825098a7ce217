import type { Graph } from '../../graph/graph.js';
import type { GraphNode } from '../../graph/types.js';
import type { NodeProto } from '../../graph/onnx-proto/index.js';

/** One entry of the exported node list: a graph node, or a Constant node re-created from an initializer. */
export type NodeSlot = { kind: 'node'; node: GraphNode } | { kind: 'constant'; tensor: string; proto: NodeProto };

/**
 * Order of exported nodes. When the graph still matches the original (no new nodes), the original proto
 * order is kept — Constant nodes included — so an unchanged model re-encodes byte-identically. Otherwise the
 * graph's topological order is used with re-created Constant nodes first.
 */
export function exportNodeOrder(graph: Graph, originalNodes: NodeProto[] | undefined, constants: Map<string, NodeProto>): NodeSlot[] {
  const liveConstants = [...constants.entries()].filter(([name]) => graph.initializers.has(name));
  if (originalNodes) {
    const byRaw = new Map<unknown, GraphNode>(graph.nodes.filter((n) => n.raw).map((n) => [n.raw, n]));
    const constantByProto = new Map(liveConstants.map(([name, p]) => [p as unknown, name]));
    const slots: NodeSlot[] = [];
    let used = 0;
    for (const p of originalNodes) {
      const node = byRaw.get(p);
      if (node) {
        slots.push({ kind: 'node', node });
        used++;
      } else if (constantByProto.has(p)) slots.push({ kind: 'constant', tensor: constantByProto.get(p)!, proto: p });
    }
    if (used === graph.nodes.length && isTopological(graph, slots)) return slots;
  }
  return [
    ...liveConstants.map(([tensor, proto]): NodeSlot => ({ kind: 'constant', tensor, proto })),
    ...graph.nodes.map((node): NodeSlot => ({ kind: 'node', node })),
  ];
}

function isTopological(graph: Graph, slots: NodeSlot[]): boolean {
  const ready = new Set<string>([...graph.inputs.map((t) => t.name), ...graph.initializers.keys()]);
  const constantNames = new Set(slots.filter((s) => s.kind === 'constant').map((s) => (s as { tensor: string }).tensor));
  for (const n of constantNames) ready.delete(n);
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  for (const s of slots) {
    if (s.kind === 'constant') {
      ready.add(s.tensor);
      continue;
    }
    // Inputs that nothing in this graph produces (outer-scope names) do not constrain the order.
    if (s.node.inputs.some((i) => i !== '' && !ready.has(i) && (produced.has(i) || constantNames.has(i)))) return false;
    for (const o of s.node.outputs) ready.add(o);
  }
  return true;
}
