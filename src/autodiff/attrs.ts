/** Reading node attributes with ONNX defaults, and writing attribute values for emitted nodes. */
import type { AttributeValue, GraphNode } from '../graph/types.js';

export function intAttr(node: GraphNode, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.type === 'int' ? Number(a.value) : fallback;
}

export function floatAttr(node: GraphNode, name: string, fallback: number): number {
  const a = node.attributes[name];
  return a?.type === 'float' ? a.value : a?.type === 'int' ? Number(a.value) : fallback;
}

export function intsAttr(node: GraphNode, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a?.type === 'ints' ? a.value.map(Number) : undefined;
}

export function stringAttr(node: GraphNode, name: string, fallback: string): string {
  const a = node.attributes[name];
  return a?.type === 'string' ? a.value : fallback;
}

/** Plain JS values → ONNX attribute values (integers become ints, other numbers floats). */
export type AttrLiteral = number | string | number[] | { float: number } | { floats: number[] };

export function toAttribute(v: AttrLiteral): AttributeValue {
  if (typeof v === 'string') return { type: 'string', value: v };
  if (typeof v === 'number')
    return Number.isInteger(v) ? { type: 'int', value: v } : { type: 'float', value: v };
  if (Array.isArray(v))
    return v.every(Number.isInteger) ? { type: 'ints', value: v } : { type: 'floats', value: v };
  if ('float' in v) return { type: 'float', value: v.float };
  return { type: 'floats', value: v.floats };
}
