import protobuf from 'protobufjs';
import { ONNX_DESCRIPTOR } from './schema.js';
import type { Int64, ModelProto, TensorProto } from './messages.js';

/** Thrown when bytes are not a valid ONNX protobuf message. */
export class OnnxDecodeError extends Error {
  override name = 'OnnxDecodeError';
}

const root = protobuf.Root.fromJSON(ONNX_DESCRIPTOR as protobuf.INamespace);
const ModelType = root.lookupType('onnx.ModelProto');
const TensorType = root.lookupType('onnx.TensorProto');

/**
 * Decodes a ModelProto. Decoded objects are protobufjs message instances: only fields present on the
 * wire are own properties, so absent fields stay absent when the object is encoded again.
 */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  try {
    return ModelType.decode(bytes) as unknown as ModelProto;
  } catch (err) {
    throw new OnnxDecodeError(`not a valid ONNX protobuf (${(err as Error).message})`);
  }
}

/** Encodes a ModelProto (plain objects or decoded messages) to bytes. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  return ModelType.encode(model as unknown as protobuf.Message).finish();
}

/** Decodes a standalone TensorProto (the `.pb` files of ONNX's test data). */
export function decodeTensorProto(bytes: Uint8Array): TensorProto {
  try {
    return TensorType.decode(bytes) as unknown as TensorProto;
  } catch (err) {
    throw new OnnxDecodeError(`not a valid ONNX TensorProto (${(err as Error).message})`);
  }
}

export function encodeTensorProto(tensor: TensorProto): Uint8Array {
  return TensorType.encode(tensor as unknown as protobuf.Message).finish();
}

/** Int64 → number when exact, bigint otherwise. */
export function int64ToJs(v: Int64 | undefined): number | bigint {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const big = BigInt(v.toString());
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Int64 → number (dims, versions, offsets: always within 2^53 in practice). */
export function int64ToNumber(v: Int64 | undefined): number {
  return Number(int64ToJs(v));
}

/** number | bigint → a value protobufjs writes as int64 (bigint goes through its decimal string). */
export function jsToInt64(v: number | bigint): Int64 {
  if (typeof v === 'number') return v;
  const big = BigInt.asUintN(64, v);
  const low = Number(big & 0xffffffffn) | 0;
  const high = Number(big >> 32n) | 0;
  return protobuf.util.LongBits ? (new protobuf.util.LongBits(low, high).toLong(false) as unknown as Int64) : Number(v);
}

/**
 * True when a field was present on the wire (or set on a plain object). Decoded messages inherit
 * defaults ('' / 0 / []) from their prototype, so `x.field !== undefined` cannot tell presence.
 */
export function has<T extends object>(msg: T | undefined, field: keyof T): boolean {
  return msg !== undefined && Object.prototype.hasOwnProperty.call(msg, field) && (msg as Record<string, unknown>)[field as string] != null;
}
