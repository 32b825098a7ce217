import { allocTyped, type NdArray, type NdDType } from './ndarray.js';

/**
 * Permutes the axes of a C-order array: result axis i is input axis `perm[i]` (as numpy.transpose).
 */
export function transposeNd<D extends NdDType>(arr: NdArray<D>, perm: number[]): NdArray<D> {
  const rank = arr.shape.length;
  if (perm.length !== rank || [...perm].sort().some((p, i) => p !== i)) {
    throw new Error(`transpose: invalid permutation [${perm.join(', ')}] for rank ${rank}`);
  }
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= arr.shape[i];
  }
  const outShape = perm.map((p) => arr.shape[p]);
  const strides = perm.map((p) => inStrides[p]);
  const out = allocTyped(arr.dtype, arr.data.length);
  const src = arr.data as unknown as ArrayLike<number>;
  const dst = out as unknown as number[];
  const idx = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let o = 0; o < out.length; o++) {
    dst[o] = src[offset];
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      offset += strides[ax];
      if (idx[ax] < outShape[ax]) break;
      offset -= strides[ax] * outShape[ax];
      idx[ax] = 0;
    }
  }
  return { dtype: arr.dtype, shape: outShape, data: out };
}

/** Reinterprets Fortran-ordered data of `arr.shape` as C order (same logical array). */
export function fortranToC<D extends NdDType>(arr: NdArray<D>): NdArray<D> {
  const rank = arr.shape.length;
  const reversed = { dtype: arr.dtype, shape: [...arr.shape].reverse(), data: arr.data };
  return transposeNd(reversed, Array.from({ length: rank }, (_, i) => rank - 1 - i));
}
