import type { ConstTensor, TensorValues } from '../types.js';
import { has, jsToInt64 } from './codec.js';
import { onnxDataType } from './dtypes.js';
import { isTensorUnchanged } from './fingerprint.js';
import { float32BitsToBfloat16Bits, float32BitsToFloat16Bits, float32ToFloat8 } from './float-formats.js';
import type { TensorProto } from './messages.js';

/** How element data is stored: `raw` = raw_data bytes (the default), `typed` = float_data/int32_data/… fields. */
export type TensorStorage = 'raw' | 'typed';

/** Float32 values → 16-bit codes (float16/bfloat16) or 8-bit codes (float8), via the exact bit pattern. */
function narrowCodes(values: Float32Array, dtype: string): Uint16Array | Uint8Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  if (dtype === 'float16') return Uint16Array.from(bits, float32BitsToFloat16Bits);
  if (dtype === 'bfloat16') return Uint16Array.from(bits, float32BitsToBfloat16Bits);
  return Uint8Array.from(values, (v) => float32ToFloat8(v, dtype as 'float8e4m3fn'));
}

function packNibbles(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) out[i >> 1] |= (values[i] & 0xf) << ((i & 1) * 4);
  return out;
}

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
}

/** Little-endian raw_data for a tensor (we run on little-endian hosts, so typed-array bytes are the wire bytes). */
export function rawBytes(t: ConstTensor): Uint8Array {
  const v = t.values as Exclude<TensorValues, string[]>;
  switch (t.dtype) {
    case 'float16': case 'bfloat16': return bytesOf(narrowCodes(v as Float32Array, t.dtype));
    case 'int4': case 'uint4': return packNibbles(v as Int8Array);
    default:
      if (t.dtype.startsWith('float8')) return narrowCodes(v as Float32Array, t.dtype) as Uint8Array;
      return bytesOf(v);
  }
}

function setTypedFields(p: TensorProto, t: ConstTensor): void {
  const v = t.values;
  switch (t.dtype) {
    case 'float32': case 'complex64': p.float_data = Array.from(v as Float32Array); return;
    case 'float64': case 'complex128': p.double_data = Array.from(v as Float64Array); return;
    case 'int64': p.int64_data = Array.from(v as BigInt64Array, (b) => jsToInt64(b)); return;
    case 'uint32': p.uint64_data = Array.from(v as Uint32Array); return;
    case 'uint64': p.uint64_data = Array.from(v as BigUint64Array, (b) => jsToInt64(BigInt.asIntN(64, b))); return;
    case 'string': p.string_data = (v as string[]).map((s) => new TextEncoder().encode(s)); return;
    case 'float16': case 'bfloat16': p.int32_data = Array.from(narrowCodes(v as Float32Array, t.dtype)); return;
    case 'int4': case 'uint4': p.int32_data = Array.from(packNibbles(v as Int8Array)); return;
    default:
      if (t.dtype.startsWith('float8')) p.int32_data = Array.from(narrowCodes(v as Float32Array, t.dtype));
      else p.int32_data = Array.from(v as Int32Array);
  }
}

/** The storage a decoded proto used, so an edited tensor is written back the same way. */
export function storageOf(p: TensorProto | undefined): TensorStorage {
  if (!p) return 'raw';
  return has(p, 'raw_data') || p.data_location === 1 ? 'raw' : 'typed';
}

/**
 * ConstTensor → TensorProto. An unchanged decoded tensor returns its original proto; otherwise the data is
 * encoded from `values`, keeping the original storage style, doc string and metadata.
 */
export function encodeTensor(t: ConstTensor, storage?: TensorStorage): TensorProto {
  if (isTensorUnchanged(t)) return t.raw as TensorProto;
  const orig = (t.raw && typeof t.raw === 'object' ? t.raw : undefined) as TensorProto | undefined;
  const p: TensorProto = { dims: t.dims.slice(), data_type: onnxDataType(t.dtype) };
  if (t.name) p.name = t.name;
  const style = t.dtype === 'string' ? 'typed' : (storage ?? storageOf(orig));
  if (style === 'raw') p.raw_data = rawBytes(t);
  else setTypedFields(p, t);
  if (has(orig, 'doc_string')) p.doc_string = orig!.doc_string;
  if (orig?.metadata_props?.length) p.metadata_props = orig.metadata_props;
  return p;
}
