/** Repeat-and-summarise timing for the benchmarks. */
export interface Timing {
  minMs: number;
  medianMs: number;
  runs: number;
}

export async function time(
  fn: () => unknown | Promise<unknown>,
  opts: { warmup: number; repeats: number },
): Promise<Timing> {
  for (let i = 0; i < opts.warmup; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < opts.repeats; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const mid = ms.length >> 1;
  const medianMs = ms.length % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
  return { minMs: ms[0], medianMs, runs: ms.length };
}

/** images/s from a timing of one batch: best (from min) and typical (from median). */
export function imagesPerSecond(t: Timing, batch: number): { best: number; median: number } {
  return { best: (1000 * batch) / t.minMs, median: (1000 * batch) / t.medianMs };
}
