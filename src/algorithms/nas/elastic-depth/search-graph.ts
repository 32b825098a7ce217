/**
 * NNCF's SearchGraph for the building-block search (search_graph.py): the op graph with each
 * hardware-fused pattern (Conv+BN+ReLU…) merged into one node when `hw_fused_ops` is on, so no block
 * boundary falls inside it, and a "dummy" node after every node with several consumers, so a block may
 * start right at a fork. Adjacency keeps insertion order exactly as networkx does (a removed and re-added
 * edge moves to the end), because NNCF's rules read "the first predecessor/successor".
 */
import { assignMetatypes, findFusedPatterns, type Graph } from '../../../graph/index.js';
import { buildOpGraph, type OpGraph } from './op-graph.js';

export interface SearchNode {
  key: string;
  /** Op ids merged into this node in execution order (one for an unmerged node). */
  ids: number[];
  /** Op types in the same order. */
  types: string[];
  merged: boolean;
  dummy: boolean;
}

/** NNCF's main_id (first merged op) and bottom_id (last merged op). */
export const mainId = (n: SearchNode) => n.ids[0];
export const bottomId = (n: SearchNode) => n.ids[n.ids.length - 1];

/** A directed graph whose node and adjacency orders behave as networkx's dicts. */
export class OrderedDiGraph {
  readonly nodes = new Map<string, SearchNode>();
  readonly succ = new Map<string, Map<string, string>>();
  readonly pred = new Map<string, Map<string, string>>();

  addNode(n: SearchNode): void {
    if (!this.nodes.has(n.key)) {
      this.succ.set(n.key, new Map());
      this.pred.set(n.key, new Map());
    }
    this.nodes.set(n.key, n);
  }

  removeNode(key: string): void {
    for (const v of this.succ.get(key)?.keys() ?? []) this.pred.get(v)!.delete(key);
    for (const u of this.pred.get(key)?.keys() ?? []) this.succ.get(u)!.delete(key);
    this.nodes.delete(key);
    this.succ.delete(key);
    this.pred.delete(key);
  }

  /** `shape` is the edge's activation shape; an existing edge keeps its place and takes the new shape. */
  addEdge(u: string, v: string, shape: string): void {
    this.succ.get(u)!.set(v, shape);
    this.pred.get(v)!.set(u, shape);
  }

  removeEdge(u: string, v: string): void {
    this.succ.get(u)!.delete(v);
    this.pred.get(v)!.delete(u);
  }

  next(key: string): SearchNode[] {
    return [...this.succ.get(key)!.keys()].map((k) => this.nodes.get(k)!);
  }

  prev(key: string): SearchNode[] {
    return [...this.pred.get(key)!.keys()].map((k) => this.nodes.get(k)!);
  }

  hasEdge(u: string, v: string): boolean {
    return this.succ.get(u)?.has(v) ?? false;
  }
}

export interface SearchGraphResult {
  sgraph: OrderedDiGraph;
  ops: OpGraph;
}

export const DUMMY_POSTFIX = ' dummy';

export function buildSearchGraph(graph: Graph, hwFusedOps: boolean): SearchGraphResult {
  const ops = buildOpGraph(graph);
  const g = new OrderedDiGraph();
  const keyOf = (id: number) => String(id);
  for (const n of ops.nodes) g.addNode({ key: keyOf(n.id), ids: [n.id], types: [n.opType], merged: false, dummy: false });
  for (const n of ops.nodes) for (const to of ops.succ[n.id]) g.addEdge(keyOf(n.id), keyOf(to), ops.edge.get(`${n.id}\u0000${to}`)!.shape);

  if (hwFusedOps) {
    const idOf = new Map(ops.nodes.filter((n) => n.node).map((n) => [n.node!.name, n.id]));
    for (const match of findFusedPatterns(graph, assignMetatypes(graph))) {
      const ids = match.nodes.map((n) => idOf.get(n.name)).filter((id): id is number => id !== undefined);
      if (ids.length < 2) continue;
      const first = keyOf(ids[0]);
      const last = keyOf(ids[ids.length - 1]);
      const inEdges = [...g.pred.get(first)!.entries()];
      const outEdges = [...g.succ.get(last)!.entries()];
      for (const id of ids) g.removeNode(keyOf(id));
      const key = ids.map((id) => `${id} ${ops.nodes[id].opType}`).join('  ') + '  ';
      g.addNode({ key, ids, types: ids.map((id) => ops.nodes[id].opType), merged: true, dummy: false });
      for (const [u, shape] of inEdges) g.addEdge(u, key, shape);
      for (const [v, shape] of outEdges) g.addEdge(key, v, shape);
    }
  }

  // A dummy after every fork: the fork's consumers hang off the dummy (NNCF's _insert_dummy_node).
  for (const node of [...g.nodes.values()]) {
    const nexts = [...g.succ.get(node.key)!.entries()];
    if (nexts.length <= 1) continue;
    const dummy: SearchNode = { ...node, key: node.key + DUMMY_POSTFIX, dummy: true };
    g.addNode(dummy);
    let shape = '';
    for (const [v, s] of nexts) {
      g.removeEdge(node.key, v);
      g.addEdge(dummy.key, v, s);
      shape = s;
    }
    g.addEdge(node.key, dummy.key, shape);
  }
  return { sgraph: g, ops };
}
