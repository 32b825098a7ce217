/**
 * HAWQ bit-width sequences (spec/algorithms.md §6.2 steps 2 and 5), pure numbers:
 * all non-decreasing sequences over the sorted candidate bit widths, in NNCF's enumeration order
 * (TraceOrderBitwidthMatcher: for j = 1…m distinct widths, each j-combination of widths, each way to
 * cut the L positions into j runs), their count, and the choice of the sequence with the minimal
 * metric among those reaching the requested compression ratio.
 */

/** Binomial coefficient C(n, k) (exact for the small values used here). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) r = (r * (n - i + 1)) / i;
  return Math.round(r);
}

/** Number of non-decreasing sequences of length L over m distinct widths, each run used at least once: Σ_{j=1..m} C(m,j)·C(L−1,j−1). */
export function bitSequenceCount(m: number, L: number): number {
  if (L === 0) return 0;
  let n = 0;
  for (let j = 1; j <= m; j++) n += binomial(m, j) * binomial(L - 1, j - 1);
  return n;
}

/** k-combinations of `items` in lexicographic order of indices (itertools.combinations). */
function* combinations<T>(items: readonly T[], k: number): Generator<T[]> {
  const n = items.length;
  if (k > n) return;
  const idx = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    yield idx.map((i) => items[i]);
    let i = k - 1;
    while (i >= 0 && idx[i] === i + n - k) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
  }
}

/** Every non-decreasing sequence of length L over `bits` (sorted ascending first), NNCF's order. */
export function* nonDecreasingBitSequences(bits: readonly number[], L: number): Generator<number[]> {
  if (L === 0) return;
  const sorted = [...new Set(bits)].sort((a, b) => a - b);
  const cuts = Array.from({ length: L - 1 }, (_, i) => i + 1);
  for (let j = 1; j <= sorted.length; j++)
    for (const widths of combinations(sorted, j))
      for (const parts of combinations(cuts, j - 1)) {
        const seq: number[] = [];
        let prev = 0;
        [...parts, L].forEach((p, r) => {
          for (let i = prev; i < p; i++) seq.push(widths[r]);
          prev = p;
        });
        yield seq;
      }
}

/**
 * NNCF choose_qconfig_sequence: among sequences with ratio ≥ `target` (bisect_left on the sorted
 * ratios), the one with the minimal metric. Ties go to the lowest index among the eligible ones (NNCF
 * takes the first index of that metric value in the whole list, which could be a sequence below the
 * ratio; we never return one). Returns −1 when no sequence reaches the ratio.
 */
export function chooseSequence(metrics: readonly number[], ratios: readonly number[], target: number): number {
  let best = -1;
  for (let i = 0; i < metrics.length; i++) {
    if (!(ratios[i] >= target)) continue;
    if (best < 0 || metrics[i] < metrics[best]) best = i;
  }
  return best;
}
