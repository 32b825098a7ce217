/**
 * Splits `n` into integer quotas proportional to `sizes` by largest remainder (Hamilton's method):
 * each part gets floor(n·size/total), then the parts with the largest fractional remainders get one more
 * (ties go to the earlier part). No quota exceeds its size; the quotas sum to `n` (n ≤ total).
 */
export function allocateProportionally(n: number, sizes: number[]): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (n > total) throw new Error(`cannot allocate ${n} from ${total}`);
  if (total === 0) return sizes.map(() => 0);
  const quota = sizes.map((s) => Math.floor((n * s) / total));
  let left = n - quota.reduce((a, b) => a + b, 0);
  // integer remainders (n·size mod total) compare exactly
  const order = sizes.map((s, i) => [(n * s) % total, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left === 0) break;
    if (quota[i] < sizes[i]) {
      quota[i]++;
      left--;
    }
  }
  return quota;
}
