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

export function getOp(opType: string, nodeName?: string): OpDef {
  const def = registry.get(opType);
  if (def) return def;
  const hint = nearest(opType, registry.keys());
  const where = nodeName ? ` (node "${nodeName}")` : '';
  throw new EngineError(`no engine implementation for op "${opType}"${where}${hint ? `; did you mean "${hint}"?` : ''}`);
}

export function registeredOps(): string[] {
  return [...registry.keys()].sort();
}
