/**
 * Integer labels as plain numbers. NumPy saves integer arrays as int64 by default, which arrive here as
 * BigInt64Array — and BigInt values do not mix with numbers (`Int32Array.from`, tfjs tensors). Class ids
 * are small, so every integer width converts to int32 exactly; a value outside int32 is an error.
 */
import { DataError } from './errors.js';
import type { NdArray } from './ndarray.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Labels of a 64-bit integer dtype converted to int32 (every other dtype is returned unchanged). */
export function labelsWithoutBigInt(y: NdArray, where: string): NdArray {
  if (y.dtype !== 'int64' && y.dtype !== 'uint64') return y;
  return { dtype: 'int32', shape: [...y.shape], data: toInt32(y, where) };
}

/** Labels of any integer dtype (or integral floats) as class ids; `where` names the source in errors. */
export function classIds(y: NdArray, where = 'labels'): Int32Array {
  if (y.dtype === 'int32') return y.data as Int32Array;
  return toInt32(y, where);
}

function toInt32(y: NdArray, where: string): Int32Array {
  if (y.dtype === 'float16') throw new DataError(`${where}: float16 labels are not class ids; save them as integers`);
  const src = y.data as ArrayLike<number | bigint>;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = Number(src[i]);
    if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
      throw new DataError(`${where}: label ${i} is not an integer class id in the int32 range (${String(src[i])})`);
    }
    out[i] = v;
  }
  return out;
}
