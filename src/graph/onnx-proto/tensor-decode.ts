import type { ConstTensor, DType, TensorValues } from '../types.js';
import { int64ToNumber } from './codec.js';
import { bitsPerElement, dtypeFromOnnx, valuesPerElement } from './dtypes.js';
import { bfloat16BitsToFloat32Bits, float16BitsToFloat32Bits, float8ToFloat32 } from './float-formats.js';
import type { Int64, TensorProto } from './messages.js';
import { rememberTensor } from './fingerprint.js';

/** Reads the bytes of an external-data tensor: `location` is relative to the model's directory. */
export type ExternalDataReader = (location: string, offset: number, length: number | undefined) => Uint8Array;

export class TensorDecodeError extends Error {
  override name = 'TensorDecodeError';
}

export function externalDataInfo(t: TensorProto): { location: string; offset: number; length?: number } | undefined {
  if (t.data_location !== 1) return undefined;
  const kv = new Map((t.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = kv.get('location');
  if (!location) throw new TensorDecodeError(`tensor "${t.name}" is external but has no "location"`);
  const length = kv.has('length') ? Number(kv.get('length')) : undefined;
  return { location, offset: Number(kv.get('offset') ?? 0), length };
}

function elementCount(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Aligned copy so typed views never fail on odd offsets inside the model buffer. */
function aligned(bytes: Uint8Array, align: number): ArrayBuffer {
  if (bytes.byteOffset % align === 0 && bytes.byteLength % align === 0 && bytes.buffer instanceof ArrayBuffer)
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return new Uint8Array(bytes).buffer;
}

function fromRawBytes(bytes: Uint8Array, dtype: DType, count: number, name: string): TensorValues {
  const need = Math.ceil((count * valuesPerElement(dtype) * bitsPerElement(dtype)) / valuesPerElement(dtype) / 8);
  if (bytes.byteLength < need)
    throw new TensorDecodeError(`tensor "${name}" (${dtype}, ${count} elements) needs ${need} bytes but has ${bytes.byteLength}`);
  const b = bytes.subarray(0, need);
  switch (dtype) {
    case 'float32': case 'complex64': return new Float32Array(aligned(b, 4));
    case 'float64': case 'complex128': return new Float64Array(aligned(b, 8));
    case 'int8': return new Int8Array(aligned(b, 1));
    case 'uint8': case 'bool': return new Uint8Array(aligned(b, 1));
    case 'int16': return new Int16Array(aligned(b, 2));
    case 'uint16': return new Uint16Array(aligned(b, 2));
    case 'int32': return new Int32Array(aligned(b, 4));
    case 'uint32': return new Uint32Array(aligned(b, 4));
    case 'int64': return new BigInt64Array(aligned(b, 8));
    case 'uint64': return new BigUint64Array(aligned(b, 8));
    case 'float16': case 'bfloat16': return narrowFloats(new Uint16Array(aligned(b, 2)), dtype);
    case 'int4': case 'uint4': return unpackNibbles(b, count, dtype === 'int4');
    default:
      if (dtype.startsWith('float8')) return narrowFloats(b, dtype);
      throw new TensorDecodeError(`tensor "${name}" has unsupported data type ${dtype}`);
  }
}

/** float16/bfloat16/float8 codes → Float32Array (bit-exact via an integer view). */
function narrowFloats(codes: ArrayLike<number>, dtype: DType): Float32Array {
  const out = new Float32Array(codes.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < codes.length; i++) {
    if (dtype === 'float16') bits[i] = float16BitsToFloat32Bits(codes[i]);
    else if (dtype === 'bfloat16') bits[i] = bfloat16BitsToFloat32Bits(codes[i]);
    else out[i] = float8ToFloat32(codes[i], dtype as 'float8e4m3fn');
  }
  return out;
}

/** int4/uint4: two values per byte, first in the low nibble. */
function unpackNibbles(bytes: ArrayLike<number>, count: number, signed: boolean): Int8Array | Uint8Array {
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const nib = (bytes[i >> 1] >> ((i & 1) * 4)) & 0xf;
    out[i] = signed && nib >= 8 ? nib - 16 : nib;
  }
  return out;
}

function fromTypedFields(t: TensorProto, dtype: DType, count: number): TensorValues {
  const ints = t.int32_data ?? [];
  switch (dtype) {
    case 'float32': case 'complex64': return Float32Array.from(t.float_data ?? []);
    case 'float64': case 'complex128': return Float64Array.from(t.double_data ?? []);
    case 'int8': return Int8Array.from(ints);
    case 'uint8': case 'bool': return Uint8Array.from(ints);
    case 'int16': return Int16Array.from(ints);
    case 'uint16': return Uint16Array.from(ints);
    case 'int32': return Int32Array.from(ints);
    case 'uint32': return Uint32Array.from((t.uint64_data ?? []).map(int64ToNumber));
    case 'int64': return BigInt64Array.from((t.int64_data ?? []).map((v: Int64) => BigInt(v.toString())));
    case 'uint64':
      // protobufjs hands uint64 as (possibly signed-looking) longs; reinterpret as unsigned.
      return BigUint64Array.from((t.uint64_data ?? []).map((v: Int64) => BigInt.asUintN(64, BigInt(v.toString()))));
    case 'string': return (t.string_data ?? []).map((s) => new TextDecoder().decode(s));
    case 'float16': case 'bfloat16': return narrowFloats(ints, dtype);
    case 'int4': case 'uint4': return unpackNibbles(ints, count, dtype === 'int4');
    default:
      if (dtype.startsWith('float8')) return narrowFloats(ints, dtype);
      throw new TensorDecodeError(`tensor "${t.name}" has unsupported data type ${dtype}`);
  }
}

/**
 * Decodes a TensorProto into a ConstTensor. The proto itself is kept in `raw` so an unchanged tensor is
 * written back verbatim (same storage field, external reference, doc string and metadata).
 */
export function decodeTensor(t: TensorProto, readExternal?: ExternalDataReader): ConstTensor {
  const dtype = dtypeFromOnnx(t.data_type);
  const dims = (t.dims ?? []).map(int64ToNumber);
  const name = t.name ?? '';
  const count = elementCount(dims);
  if (dtype === 'undefined') throw new TensorDecodeError(`tensor "${name}" has unknown data type ${t.data_type}`);
  let values: TensorValues;
  const ext = externalDataInfo(t);
  if (ext) {
    if (!readExternal) throw new TensorDecodeError(`tensor "${name}" is stored in external file "${ext.location}" but no model directory is known`);
    values = fromRawBytes(readExternal(ext.location, ext.offset, ext.length), dtype, count, name);
  } else if (t.raw_data && t.raw_data.byteLength > 0 && dtype !== 'string') {
    values = fromRawBytes(t.raw_data, dtype, count, name);
  } else {
    values = fromTypedFields(t, dtype, count);
  }
  const expected = count * valuesPerElement(dtype);
  if (values.length !== expected)
    throw new TensorDecodeError(`tensor "${name}" has dims [${dims}] (${expected} values) but stores ${values.length}`);
  const tensor: ConstTensor = { name, dtype, dims, values, raw: t };
  rememberTensor(t, tensor);
  return tensor;
}
