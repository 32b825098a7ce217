/**
 * Order statistics with torch.quantile / numpy's default "linear" interpolation:
 * position q·(n−1) between the two neighbouring sorted values, computed in float64.
 * Uses quickselect (O(n)) rather than a full sort: range init sees millions of values.
 */
import { RangeStatisticsError } from './types.js';

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Rearranges `a` so that a[k] is the k-th smallest, smaller values before it (Hoare quickselect). */
function selectKth(a: Float64Array, k: number, lo = 0, hi = a.length - 1): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as the pivot guards against sorted inputs
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function lerp(a: number, b: number, w: number): number {
  // torch.lerp form: exact at both ends
  return w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

/** Quantiles q ∈ [0, 1] of `values` (NaN-free), each linear-interpolated. `values` is not modified. */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return qs.map(() => NaN);
  const a = Float64Array.from(values);
  return qs.map((q) => {
    const pos = q * (n - 1);
    const lo = Math.floor(pos);
    selectKth(a, lo);
    const v = a[lo];
    if (lo + 1 >= n || pos === lo) return v;
    let next = Infinity; // the (lo+1)-th smallest is the minimum of the part after `lo`
    for (let i = lo + 1; i < n; i++) if (a[i] < next) next = a[i];
    return lerp(v, next, pos - lo);
  });
}

/** Percentile p ∈ [0, 100]. */
export function percentile(values: ArrayLike<number>, p: number): number {
  return quantiles(values, [p / 100])[0];
}

export function median(values: ArrayLike<number>): number {
  return quantiles(values, [0.5])[0];
}

export function checkPercentile(p: unknown, name: string): number {
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) {
    throw new RangeStatisticsError(`${name} must be a percent in [0, 100], got ${JSON.stringify(p)}`);
  }
  return p;
}
