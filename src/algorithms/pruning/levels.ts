/**
 * From importances to binary filter masks, as NNCF sets them (mask = importance >= threshold, so
 * ties are kept).
 */

/** NNCF get_rounded_pruned_element_number: filters to prune so that the remaining count is a multiple of 8, rounded up. */
export function roundedPrunedCount(total: number, level: number, multipleOf = 8): number {
  const remaining = Math.ceil((total - total * level) / multipleOf) * multipleOf;
  return Math.max(total - remaining, 0);
}

const sortedCopy = (a: ArrayLike<number>) => Float64Array.from(a).sort();

export function maskAbove(importance: ArrayLike<number>, threshold: number): Uint8Array {
  return Uint8Array.from(importance, (v) => (v >= threshold ? 1 : 0));
}

/** One group at `level` (uniform pruning): threshold = sorted[min(n_pruned, total − 1)]. */
export function groupMask(importance: ArrayLike<number>, level: number): Uint8Array {
  const n = importance.length;
  const pruned = roundedPrunedCount(n, level);
  return maskAbove(importance, sortedCopy(importance)[Math.min(pruned, n - 1)]);
}

/** All groups against one threshold (all_weights): threshold = sorted(all)[int(level · N)]. */
export function globalMasks(importances: readonly ArrayLike<number>[], level: number): Uint8Array[] {
  const all = sortedCopy(importances.flatMap((a) => Array.from(a)));
  const threshold = all[Math.min(Math.floor(level * all.length), all.length - 1)];
  return importances.map((imp) => maskAbove(imp, threshold));
}

/** Share of zeros in a mask (NNCF pruning_level_for_mask). */
export function maskLevel(mask: ArrayLike<number>): number {
  let kept = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) kept++;
  return 1 - kept / mask.length;
}
