/**
 * Order statistics with torch.quantile / numpy's default "linear" interpolation:
 * position q·(n−1) between the two neighbouring sorted values, computed in float64.
 */
import { RangeStatisticsError } from './types.js';

/** Quantile q ∈ [0, 1] of an ascending-sorted array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const w = pos - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  // torch.lerp form: exact at both ends.
  return w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Percentile p ∈ [0, 100] of unsorted values. */
export function percentile(values: ArrayLike<number>, p: number): number {
  return quantileSorted(sortedCopy(values), p / 100);
}

export function median(values: ArrayLike<number>): number {
  return quantileSorted(sortedCopy(values), 0.5);
}

export function checkPercentile(p: unknown, name: string): number {
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) {
    throw new RangeStatisticsError(`${name} must be a percent in [0, 100], got ${JSON.stringify(p)}`);
  }
  return p;
}
