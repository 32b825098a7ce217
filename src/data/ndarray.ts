/**
 * Plain host tensors: a typed array in C (row-major) order plus a shape. No tfjs here; the engine and the
 * runtime wrap these themselves. Type names follow ONNX/onnxruntime (`float32`, `int64`, `bool`, …).
 */
import { DataError } from './errors.js';

export type NdDType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool';

/** float16 keeps raw IEEE half bits in a Uint16Array (as onnxruntime does); bool is one byte 0/1 per value. */
export interface NdTypedArrayMap {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}

export type NdTypedArray = NdTypedArrayMap[NdDType];

export interface NdArray<D extends NdDType = NdDType> {
  dtype: D;
  shape: number[];
  data: NdTypedArrayMap[D];
}

type Ctor = { new (n: number): NdTypedArray; BYTES_PER_ELEMENT: number };

const CTORS: Record<NdDType, Ctor> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

export const ND_DTYPES = Object.keys(CTORS) as NdDType[];

export function bytesPerElement(dtype: NdDType): number {
  return CTORS[dtype].BYTES_PER_ELEMENT;
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A zero-filled typed array of `dtype` holding `n` elements. */
export function allocTyped<D extends NdDType>(dtype: D, n: number): NdTypedArrayMap[D] {
  return new CTORS[dtype](n) as NdTypedArrayMap[D];
}

/** Builds an NdArray, checking that the data length matches the shape. */
export function ndarray<D extends NdDType>(dtype: D, shape: number[], data?: NdTypedArrayMap[D]): NdArray<D> {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new DataError(`invalid shape [${shape.join(', ')}]`);
  }
  const n = shapeSize(shape);
  const values = data ?? allocTyped(dtype, n);
  if (values.length !== n) {
    throw new DataError(`data has ${values.length} elements but shape [${shape.join(', ')}] needs ${n}`);
  }
  return { dtype, shape: [...shape], data: values };
}

/** Element `i` as a JS number (int64/uint64 converted, which is exact below 2^53). */
export function getNumber(arr: NdArray, i: number): number {
  const v = arr.data[i];
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** Converts any numeric array to float32 (float16 bits decoded, bool to 0/1). */
export function toFloat32(arr: NdArray): NdArray<'float32'> {
  if (arr.dtype === 'float32') return arr as NdArray<'float32'>;
  const n = arr.data.length;
  const out = new Float32Array(n);
  if (arr.dtype === 'float16') {
    const src = arr.data as Uint16Array;
    for (let i = 0; i < n; i++) out[i] = halfToFloat(src[i]);
  } else if (arr.dtype === 'int64' || arr.dtype === 'uint64') {
    for (let i = 0; i < n; i++) out[i] = Number(arr.data[i]);
  } else {
    out.set(arr.data as ArrayLike<number>);
  }
  return { dtype: 'float32', shape: [...arr.shape], data: out };
}

/** Decodes IEEE 754 half-precision bits. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Rows `indices` of `arr` along axis 0, as a new array. */
export function gatherRows<D extends NdDType>(arr: NdArray<D>, indices: ArrayLike<number>): NdArray<D> {
  const row = shapeSize(arr.shape.slice(1));
  const out = allocTyped(arr.dtype, indices.length * row);
  const src = arr.data as unknown as { subarray(a: number, b: number): ArrayLike<number | bigint> };
  const dst = out as unknown as { set(a: ArrayLike<number | bigint>, off: number): void };
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < arr.shape[0])) throw new DataError(`row index ${i} out of range [0, ${arr.shape[0]})`);
    dst.set(src.subarray(i * row, (i + 1) * row), k * row);
  }
  return { dtype: arr.dtype, shape: [indices.length, ...arr.shape.slice(1)], data: out };
}

/** Concatenates arrays of one dtype along axis 0. */
export function concatRows<D extends NdDType>(parts: NdArray<D>[]): NdArray<D> {
  if (parts.length === 0) throw new DataError('nothing to concatenate');
  const [first] = parts;
  const tail = first.shape.slice(1).join(',');
  let rows = 0;
  for (const p of parts) {
    if (p.dtype !== first.dtype) throw new DataError(`cannot concatenate ${first.dtype} with ${p.dtype}`);
    if (p.shape.length === 0 || p.shape.slice(1).join(',') !== tail) {
      throw new DataError(`cannot concatenate shape [${p.shape.join(', ')}] with [${first.shape.join(', ')}]`);
    }
    rows += p.shape[0];
  }
  const out = allocTyped(first.dtype, rows * shapeSize(first.shape.slice(1)));
  const dst = out as unknown as { set(a: ArrayLike<number | bigint>, off: number): void };
  let off = 0;
  for (const p of parts) {
    dst.set(p.data as unknown as ArrayLike<number | bigint>, off);
    off += p.data.length;
  }
  return { dtype: first.dtype, shape: [rows, ...first.shape.slice(1)], data: out };
}

/** Converts to another numeric dtype (values truncated/wrapped as typed arrays do; bigints via BigInt). */
export function castNd<D extends NdDType>(arr: NdArray, dtype: D): NdArray<D> {
  if (arr.dtype === dtype) return arr as NdArray<D>;
  if (dtype === 'float16') throw new DataError(`cannot cast ${arr.dtype} to float16`);
  const src = arr.dtype === 'float16' ? toFloat32(arr) : arr;
  if (src.dtype === dtype) return src as NdArray<D>;
  const out = allocTyped(dtype, src.data.length);
  const big = dtype === 'int64' || dtype === 'uint64';
  const dst = out as unknown as (number | bigint)[];
  for (let i = 0; i < out.length; i++) {
    const v = src.data[i];
    if (big) dst[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(v as number));
    else if (dtype === 'bool') dst[i] = v ? 1 : 0;
    else dst[i] = typeof v === 'bigint' ? Number(v) : (v as number);
  }
  return { dtype, shape: [...arr.shape], data: out };
}
