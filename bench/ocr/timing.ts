/** Latency rows for the OCR bench: ORT sessions and the engine, min/median of repeats, ratios. */
import { benchmark, OrtSession, type BenchmarkResult } from '../../src/runtime/index.js';
import { ndarray, type NdArray } from '../../src/data/index.js';
import type { BenchRow } from '../suite/types.js';

export const REPEATS: Record<number, { warmup: number; repeats: number }> = {
  1: { warmup: 5, repeats: 50 },
  64: { warmup: 2, repeats: 10 },
};

/** The first `n` samples of a set (a view, no copy). */
export function firstRows(x: NdArray<'float32'>, n: number): NdArray<'float32'> {
  const per = x.shape.slice(1).reduce((a, b) => a * b, 1);
  return ndarray('float32', [n, ...x.shape.slice(1)], x.data.subarray(0, n * per));
}

export async function ortLatency(
  model: string,
  x: NdArray<'float32'>,
  batch: number,
): Promise<BenchmarkResult> {
  const session = await OrtSession.create(model, { intraOpThreads: 1, interOpThreads: 1 });
  const feed = firstRows(x, batch);
  return benchmark(() => session.run(feed), REPEATS[batch] ?? { warmup: 2, repeats: 10 });
}

export function timingRow(metric: string, r: BenchmarkResult, note?: string): BenchRow {
  return { metric, value: r.median, unit: 'ms', min: r.min, median: r.median, ...(note ? { note } : {}) };
}

/** `a / b` for both min and median (how many times slower a is than b). */
export function ratioRow(metric: string, a: BenchmarkResult, b: BenchmarkResult, note?: string): BenchRow {
  return {
    metric,
    value: a.median / b.median,
    unit: '×',
    min: a.min / b.min,
    median: a.median / b.median,
    ...(note ? { note } : {}),
  };
}
