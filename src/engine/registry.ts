import type * as tf from '@tensorflow/tfjs-core';
import type { Graph, GraphNode } from '../graph/index.js';
import { EngineError, nearest } from './errors.js';
import type { Value } from './value.js';
import type { OpContext } from './context.js';

/**
 * How the engine hands inputs to an op:
 * - 'onnx': every input in ONNX layout, outputs in ONNX layout (the safe default);
 * - 'elementwise': inputs brought to one common layout (broadcast-aware), outputs tagged with it;
 * - 'custom': the op receives Values with their perms and returns Values (layout-aware ops).
 */
export type LayoutMode = 'onnx' | 'elementwise' | 'custom';

export interface OpDef {
  opType: string;
  layout: LayoutMode;
  /** For 'onnx'/'elementwise': tensors in, tensors out. Missing optional inputs are undefined. */
  run?: (inputs: (tf.Tensor | undefined)[], ctx: OpContext) => tf.Tensor | tf.Tensor[];
  /** For 'custom'. */
  runValues?: (inputs: (Value | undefined)[], ctx: OpContext) => Value | Value[];
  /** Input ports whose float constants are weights (tf.Variables); may depend on the node and graph. */
  weightPorts?: (node: GraphNode, graph: Graph) => number[];
  /** Input ports holding running state (non-trainable Variables), e.g. BatchNorm mean/var. */
  statePorts?: number[];
  /** Layout in which a weight on `port` is stored so the op reads it without transposing. */
  weightPerm?: (node: GraphNode, port: number, dims: number[]) => number[] | null;
}

const registry = new Map<string, OpDef>();

export function registerOp(def: OpDef): void {
  if (registry.has(def.opType)) throw new EngineError(`op "${def.opType}" is already registered`);
  if (def.layout === 'custom' ? !def.runValues : !def.run)
    throw new EngineError(`op "${def.opType}": layout "${def.layout}" needs ${def.layout === 'custom' ? 'runValues' : 'run'}`);
  registry.set(def.opType, def);
}

/** Registers a simple op: ONNX layout in and out unless `layout` says otherwise. */
export function defineOp(
  opType: string,
  run: NonNullable<OpDef['run']>,
  extra: Partial<Omit<OpDef, 'opType' | 'run'>> = {},
): void {
  registerOp({ opType, layout: 'onnx', run, ...extra });
}

export function findOp(opType: string): OpDef | undefined {
  return registry.get(opType);
}

/** Op types found inside an ONNX GraphProto (as decoded by the frontend), nested subgraphs included. */
function subgraphOps(g: unknown, into: Set<string>): void {
  const nodes =
    (g as { node?: { op_type?: string; attribute?: { g?: unknown; graphs?: unknown[] }[] }[] })?.node ?? [];
  for (const n of nodes) {
    if (n.op_type) into.add(n.op_type);
    for (const a of n.attribute ?? [])
      for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) subgraphOps(sub, into);
  }
}

/** For a node with graph attributes (If, Loop, Scan): why it cannot run, naming the subgraphs and what is in them. */
function controlFlowReason(node: GraphNode): string | null {
  const graphs = Object.entries(node.attributes).filter(([, a]) => a.type === 'graph' || a.type === 'graphs');
  if (graphs.length === 0) return null;
  const inner = new Set<string>();
  for (const [, a] of graphs)
    for (const g of a.type === 'graphs' ? a.value : [a.value]) subgraphOps(g, inner);
  const missing = [...inner].filter((t) => !registry.has(t)).sort();
  return (
    `control flow with subgraphs (${graphs.map(([k]) => k).join(', ')}) is not supported by the engine yet` +
    (inner.size
      ? `; the subgraphs hold ${inner.size} op type(s)${missing.length ? `, without an engine implementation: ${missing.join(', ')}` : ''}`
      : '')
  );
}

export function getOp(opType: string, node?: string | GraphNode): OpDef {
  const def = registry.get(opType);
  if (def) return def;
  const nodeName = typeof node === 'string' ? node : node?.name;
  const where = nodeName ? ` (node "${nodeName}")` : '';
  const flow = typeof node === 'object' ? controlFlowReason(node) : null;
  if (flow) throw new EngineError(`no engine implementation for op "${opType}"${where}: ${flow}`);
  const hint = nearest(opType, registry.keys());
  throw new EngineError(
    `no engine implementation for op "${opType}"${where}${hint ? `; did you mean "${hint}"?` : ''}`,
  );
}

export function registeredOps(): string[] {
  return [...registry.keys()].sort();
}
