/**
 * NNCF's three rules a candidate block must pass (search_graph.py), on the search graph: skipping it
 * must not leave two edges between the same nodes, two ReLUs in a row, or a dangling edge.
 */
import { bottomId, mainId, type OrderedDiGraph, type SearchNode } from './search-graph.js';

/** Skipping must not join the block's producer to a node it already feeds (A→block→D plus A→D). */
export function noDuplicateEdges(g: OrderedDiGraph, first: SearchNode, end: SearchNode): boolean {
  const after = g.next(end.key);
  if (first.dummy) return after.length === 0 || !g.hasEdge(first.key, after[0].key);
  const before = g.prev(first.key);
  if (!before.length || !after.length) return true;
  return !g.hasEdge(before[0].key, after[0].key);
}

/**
 * Skipping must not put a ReLU right after a ReLU. NNCF compares `node_type[-1]` / `node_type[0]`,
 * which is an op type only for a merged node (a list of types); for an unmerged node it is a single
 * character of the type string, never a ReLU. So the rule fires only between merged nodes; reproduced
 * as is, since it decides which blocks NNCF finds.
 */
export function noActivationDuplication(g: OrderedDiGraph, first: SearchNode, end: SearchNode): boolean {
  let before = g.prev(first.key);
  const after = g.next(end.key);
  if (!after.length || !before.length) return true;
  if (before[0].dummy) before = g.prev(before[0].key);
  const lastType = (n: SearchNode) => (n.merged ? n.types[n.types.length - 1] : n.types[0].slice(-1));
  const firstType = (n: SearchNode) => (n.merged ? n.types[0] : n.types[0].slice(0, 1));
  return !(lastType(before[0]) === 'Relu' && firstType(after[0]) === 'Relu');
}

/**
 * A breadth-first walk from the block's start must reach only nodes up to the end, never leave by an
 * output of the model, and every extra input of a node inside must come from inside.
 */
export function noHangingEdges(g: OrderedDiGraph, first: SearchNode, end: SearchNode): boolean {
  let start = first;
  if (!first.dummy) {
    const before = g.prev(first.key);
    if (before.length !== 1) return false;
    start = before[0];
  }
  const queue: SearchNode[] = [start];
  const extra = new Set<string>();
  const seen = new Set<string>();
  let deadEnd = false;
  while (queue.length) {
    const cur = queue.shift()!;
    if (mainId(cur) !== mainId(start)) {
      const prevs = g.prev(cur.key);
      if (prevs.length > 1)
        for (const p of prevs) {
          if (bottomId(p) < bottomId(start)) return false;
          extra.add(p.key);
        }
    }
    if (cur.key === end.key) continue;
    if (mainId(cur) > mainId(end)) return false;
    if (seen.has(cur.key)) continue;
    seen.add(cur.key);
    const nexts = g.next(cur.key);
    if (!nexts.length) deadEnd = true;
    queue.push(...nexts);
  }
  if (deadEnd) return false;
  for (const k of extra) if (!seen.has(k)) return false;
  return true;
}
