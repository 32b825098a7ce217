/**
 * NNCF's binary_mask_by_threshold, the threshold part: t = min(threshold, quantile(importance, 0.98)),
 * the quantile taken over the importance expanded to the weight (each score repeated `repeat` times)
 * with torch.quantile's linear interpolation, in float32 as PyTorch computes it. The cap keeps at least
 * ~2 % of every layer. Also NNCF's automatic init threshold: the k-th smallest expanded importance,
 * k = int(0.001·N) + 1.
 */

const MAX_PERCENTILE = Math.fround(0.98);

/** The value at float rank `rank` of the expanded, sorted scores (sorted: the unexpanded scores ascending). */
function expandedAt(sorted: Float32Array, repeat: number, index: number): number {
  return sorted[Math.floor(index / repeat)];
}

export function quantileOfExpanded(scores: Float32Array, repeat: number, q = MAX_PERCENTILE): number {
  const sorted = Float32Array.from(scores).sort();
  const n = sorted.length * repeat;
  const rank = Math.fround(q * (n - 1));
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  const lo = expandedAt(sorted, repeat, below);
  const hi = expandedAt(sorted, repeat, above);
  const w = Math.fround(rank - below);
  // torch.lerp: a + w·(b − a) below w = 0.5, b − (b − a)·(1 − w) from it
  return Math.fround(w < 0.5 ? lo + Math.fround(w * Math.fround(hi - lo)) : hi - Math.fround(Math.fround(hi - lo) * Math.fround(1 - w)));
}

/** The threshold the mask compares with (`importance > t`), as a float32 value. */
export function effectiveThreshold(scores: Float32Array, repeat: number, threshold: number): number {
  if (threshold === -Infinity) return -Infinity;
  return Math.fround(Math.min(threshold, quantileOfExpanded(scores, repeat)));
}

/** NNCF's _calc_init_threshold_from_controller: k-th smallest of all expanded scores, k = min(N, int(N·s) + 1). */
export function initThreshold(groups: readonly { scores: Float32Array; repeat: number }[], targetSparsity = 0.001): number {
  const n = groups.reduce((a, g) => a + g.scores.length * g.repeat, 0);
  const all = new Float32Array(n);
  let at = 0;
  for (const g of groups) for (const v of g.scores) for (let r = 0; r < g.repeat; r++) all[at++] = v;
  all.sort();
  const k = Math.min(n, Math.floor(n * targetSparsity) + 1);
  return all[k - 1];
}
