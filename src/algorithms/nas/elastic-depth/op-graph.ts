/**
 * The view of a Graph that NNCF's building-block search works on (its PTNNCFGraph): one numbered
 * node per executed op in execution order, model inputs first (`nncf_model_input`, as NNCF's tracing
 * numbers them) and model outputs last (`nncf_model_output`); constant-only nodes (Constant, shape
 * arithmetic on initializers) are not ops here, as in a traced PyTorch graph. Edges join a producer
 * and a consumer once (NNCF's graph is a networkx DiGraph) and carry the tensor's shape.
 */
import { constantTensors, type Graph, type GraphNode } from '../../../graph/index.js';

export const MODEL_INPUT_TYPE = 'nncf_model_input';
export const MODEL_OUTPUT_TYPE = 'nncf_model_output';

export interface OpNode {
  /** Execution-order number (NNCF's node id). */
  id: number;
  /** The Graph node name, or the model input/output tensor name for the synthetic ends. */
  name: string;
  opType: string;
  /** The tensor this node writes (output 0); a model input's own tensor; '' for an output node. */
  output: string;
  /** The Graph node (undefined for the synthetic input/output nodes). */
  node?: GraphNode;
}

export interface OpEdge {
  from: number;
  to: number;
  /** The tensor shape as a string, NNCF's activation_shape attribute (compared as text). */
  shape: string;
}

export interface OpGraph {
  nodes: OpNode[];
  /** Successor ids per node in insertion order, and predecessor ids likewise. */
  succ: number[][];
  pred: number[][];
  edge: Map<string, OpEdge>;
  inputIds: ReadonlySet<number>;
  byName: Map<string, OpNode>;
}

export const edgeKey = (from: number | string, to: number | string) => `${from}\u0000${to}`;

function shapeText(graph: Graph, tensor: string): string {
  const s = graph.tensor(tensor)?.shape;
  return s ? `[${s.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '?';
}

export function buildOpGraph(graph: Graph): OpGraph {
  const consts = constantTensors(graph);
  const nodes: OpNode[] = [];
  const producerId = new Map<string, number>();
  for (const t of graph.inputs) {
    if (graph.initializers.has(t.name)) continue;
    producerId.set(t.name, nodes.length);
    nodes.push({ id: nodes.length, name: t.name, opType: MODEL_INPUT_TYPE, output: t.name });
  }
  const inputIds = new Set(nodes.map((n) => n.id));
  for (const node of graph.nodes) {
    const live = node.outputs.filter((o) => o !== '' && !consts.has(o));
    if (!live.length) continue;
    for (const o of live) producerId.set(o, nodes.length);
    nodes.push({ id: nodes.length, name: node.name, opType: node.opType, output: node.outputs[0], node });
  }
  const outputs = graph.outputs.filter((t) => producerId.has(t.name));
  const succ: number[][] = [];
  const pred: number[][] = [];
  const edge = new Map<string, OpEdge>();
  const addEdge = (from: number, to: number, tensor: string) => {
    const key = edgeKey(from, to);
    if (edge.has(key)) return;
    edge.set(key, { from, to, shape: shapeText(graph, tensor) });
    (succ[from] ??= []).push(to);
    (pred[to] ??= []).push(from);
  };
  for (const n of nodes)
    for (const inp of n.node?.inputs ?? []) {
      const from = inp === '' ? undefined : producerId.get(inp);
      if (from !== undefined && from !== n.id) addEdge(from, n.id, inp);
    }
  for (const t of outputs) {
    const id = nodes.length;
    nodes.push({ id, name: t.name, opType: MODEL_OUTPUT_TYPE, output: '' });
    addEdge(producerId.get(t.name)!, id, t.name);
  }
  for (const n of nodes) {
    succ[n.id] ??= [];
    pred[n.id] ??= [];
  }
  return { nodes, succ, pred, edge, inputIds, byName: new Map(nodes.map((n) => [n.name, n])) };
}
