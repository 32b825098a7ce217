import { allocTyped, type NdArray, type NdDType } from './ndarray.js';

/**
 * Simplifies a transpose: drops size-1 axes and merges input axes that stay adjacent and in order, so that
 * e.g. NCHW→NHWC with C = 1 becomes a plain copy. Returns the reduced input shape and permutation.
 */
function simplify(shape: number[], perm: number[]): { shape: number[]; perm: number[] } {
  const kept = perm.filter((p) => shape[p] !== 1);
  // groups of consecutive input axes in output order
  const groups: number[][] = [];
  for (const p of kept) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === p) last.push(p);
    else groups.push([p]);
  }
  const byInput = [...groups].sort((a, b) => a[0] - b[0]);
  const newShape = byInput.map((g) => g.reduce((n, a) => n * shape[a], 1));
  return { shape: newShape, perm: groups.map((g) => byInput.indexOf(g)) };
}

/**
 * Permutes the axes of a C-order array: result axis i is input axis `perm[i]` (as numpy.transpose).
 */
export function transposeNd<D extends NdDType>(arr: NdArray<D>, perm: number[]): NdArray<D> {
  const rank = arr.shape.length;
  if (perm.length !== rank || [...perm].sort().some((p, i) => p !== i)) {
    throw new Error(`transpose: invalid permutation [${perm.join(', ')}] for rank ${rank}`);
  }
  const outShape = perm.map((p) => arr.shape[p]);
  const s = simplify(arr.shape, perm);
  const out = allocTyped(arr.dtype, arr.data.length);
  if (s.perm.every((p, i) => p === i)) {
    (out as unknown as { set(a: ArrayLike<number | bigint>): void }).set(arr.data as ArrayLike<number | bigint>);
    return { dtype: arr.dtype, shape: outShape, data: out };
  }
  const r = s.shape.length;
  const inStrides = new Array<number>(r);
  for (let i = r - 1, st = 1; i >= 0; i--) {
    inStrides[i] = st;
    st *= s.shape[i];
  }
  const dims = s.perm.map((p) => s.shape[p]);
  const strides = s.perm.map((p) => inStrides[p]);
  const src = arr.data as unknown as ArrayLike<number>;
  const dst = out as unknown as number[];
  const inner = dims[r - 1];
  const innerStride = strides[r - 1];
  const idx = new Array<number>(r).fill(0);
  let offset = 0;
  for (let o = 0; o < out.length; o += inner) {
    for (let k = 0, off = offset; k < inner; k++, off += innerStride) dst[o + k] = src[off];
    for (let ax = r - 2; ax >= 0; ax--) {
      idx[ax]++;
      offset += strides[ax];
      if (idx[ax] < dims[ax]) break;
      offset -= strides[ax] * dims[ax];
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
