/** Latency measurement: warm-up runs, then timed repeats; min and median are the numbers to report. */
import type { NdArray } from '../data/ndarray.js';
import type { OrtSession } from './session.js';

export interface BenchmarkOptions {
  /** Untimed runs first (default 3). */
  warmup?: number;
  /** Timed runs (default 10). */
  repeats?: number;
}

export interface BenchmarkResult {
  /** Milliseconds of each timed run, in run order. */
  times: number[];
  min: number;
  median: number;
  mean: number;
  max: number;
}

export function summarize(times: number[]): BenchmarkResult {
  if (times.length === 0) throw new Error('summarize: no timings');
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { times, min: sorted[0], median, mean, max: sorted[sorted.length - 1] };
}

/** Times `fn` (sync or async). */
export async function benchmark(fn: () => unknown, options: BenchmarkOptions = {}): Promise<BenchmarkResult> {
  const warmup = options.warmup ?? 3;
  const repeats = options.repeats ?? 10;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`benchmark: repeats must be a positive integer, got ${repeats}`);
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return summarize(times);
}

/** Latency of one `session.run(feeds)`. */
export async function benchmarkSession(
  session: OrtSession,
  feeds: Record<string, NdArray> | NdArray,
  options: BenchmarkOptions = {},
): Promise<BenchmarkResult> {
  return benchmark(() => session.run(feeds), options);
}
