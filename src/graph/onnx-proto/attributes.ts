import type { AttributeValue } from '../types.js';
import { has, int64ToJs, jsToInt64 } from './codec.js';
import { isTensorUnchanged } from './fingerprint.js';
import { AttributeType, type AttributeProto, type GraphProto } from './messages.js';
import { decodeTensor, type ExternalDataReader } from './tensor-decode.js';
import { encodeTensor } from './tensor-encode.js';

const utf8 = new TextDecoder();
const toUtf8 = new TextEncoder();

/** Infers the type of an attribute written without the `type` discriminator (IR < 2). */
function attributeType(a: AttributeProto): number {
  if (a.type) return a.type;
  if (has(a, 'f')) return AttributeType.FLOAT;
  if (has(a, 'i')) return AttributeType.INT;
  if (has(a, 's')) return AttributeType.STRING;
  if (has(a, 't')) return AttributeType.TENSOR;
  if (has(a, 'g')) return AttributeType.GRAPH;
  if (a.floats?.length) return AttributeType.FLOATS;
  if (a.ints?.length) return AttributeType.INTS;
  if (a.strings?.length) return AttributeType.STRINGS;
  if (a.tensors?.length) return AttributeType.TENSORS;
  if (a.graphs?.length) return AttributeType.GRAPHS;
  return AttributeType.UNDEFINED;
}

/**
 * AttributeProto → AttributeValue. Subgraphs stay GraphProtos (the IR treats them as opaque); sparse
 * tensors, type protos and function attribute references become `other` holding the proto.
 */
export function decodeAttribute(a: AttributeProto, readExternal?: ExternalDataReader): AttributeValue {
  if (a.ref_attr_name) return { type: 'other', value: a };
  switch (attributeType(a)) {
    case AttributeType.FLOAT: return { type: 'float', value: a.f ?? 0 };
    case AttributeType.INT: return { type: 'int', value: int64ToJs(a.i) };
    case AttributeType.STRING: return { type: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case AttributeType.TENSOR: return { type: 'tensor', value: decodeTensor(a.t ?? {}, readExternal) };
    case AttributeType.GRAPH: return { type: 'graph', value: a.g };
    case AttributeType.FLOATS: return { type: 'floats', value: [...(a.floats ?? [])] };
    case AttributeType.INTS: return { type: 'ints', value: (a.ints ?? []).map(int64ToJs) };
    case AttributeType.STRINGS: return { type: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    case AttributeType.TENSORS: return { type: 'tensors', value: (a.tensors ?? []).map((t) => decodeTensor(t, readExternal)) };
    case AttributeType.GRAPHS: return { type: 'graphs', value: [...(a.graphs ?? [])] };
    default: return { type: 'other', value: a };
  }
}

/** AttributeValue → AttributeProto (type discriminator always written, as IR ≥ 2 requires). */
export function encodeAttribute(name: string, v: AttributeValue): AttributeProto {
  if (v.type === 'other') return { ...(v.value as AttributeProto), name };
  const a: AttributeProto = { name };
  switch (v.type) {
    case 'float': a.f = v.value; a.type = AttributeType.FLOAT; break;
    case 'int': a.i = jsToInt64(v.value); a.type = AttributeType.INT; break;
    case 'string': a.s = toUtf8.encode(v.value); a.type = AttributeType.STRING; break;
    case 'tensor': a.t = encodeTensor(v.value); a.type = AttributeType.TENSOR; break;
    case 'graph': a.g = v.value as GraphProto; a.type = AttributeType.GRAPH; break;
    case 'floats': a.floats = [...v.value]; a.type = AttributeType.FLOATS; break;
    case 'ints': a.ints = v.value.map(jsToInt64); a.type = AttributeType.INTS; break;
    case 'strings': a.strings = v.value.map((s) => toUtf8.encode(s)); a.type = AttributeType.STRINGS; break;
    case 'tensors': a.tensors = v.value.map((t) => encodeTensor(t)); a.type = AttributeType.TENSORS; break;
    case 'graphs': a.graphs = v.value as GraphProto[]; a.type = AttributeType.GRAPHS; break;
  }
  return a;
}

/** A comparable signature of an attribute value (tensors/graphs by identity plus their own change check). */
export function attributeSignature(v: AttributeValue): string {
  switch (v.type) {
    case 'tensor': return `tensor:${isTensorUnchanged(v.value) ? 'same' : Math.random()}`;
    case 'tensors': return `tensors:${v.value.every(isTensorUnchanged) ? v.value.length : Math.random()}`;
    case 'graph': case 'graphs': case 'other': return `${v.type}:opaque`;
    default: return `${v.type}:${JSON.stringify(v.value, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))}`;
  }
}
