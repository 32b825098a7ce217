/**
 * Latency of several models side by side: one session each, runs interleaved round by round (so a
 * burst of load from other processes hits every model alike), min and median per model. The min is
 * the steadier number on a shared machine; the median says how noisy the run was.
 */
import type { NdArray } from '../data/ndarray.js';
import { summarize, type BenchmarkResult } from './benchmark.js';
import { OrtSession } from './session.js';

export interface InterleavedOptions {
  /** Timed rounds; each round runs every model once (default 15). */
  runs?: number;
  /** Untimed rounds first (default 3). */
  warmup?: number;
  /** intra-op threads (default 1). */
  threads?: number;
  /**
   * Early stop for two models (the latency check's comparisons): after `afterRuns` rounds, stop as soon
   * as one model's min is at least `ratio` times the other's — the order cannot flip by more runs when the
   * gap is that wide, and the remaining rounds only cost time (most of the check's time on big models).
   */
  stopWhenApart?: { afterRuns: number; ratio: number };
  /**
   * What a run's time is: 'wall' (default) or 'cpu', the process CPU time the run used
   * (process.cpuUsage). With one intra-op thread CPU time is the run's own work: time spent descheduled
   * by other processes does not count, so it stays put on a loaded machine where wall time jumps by
   * several times. With more threads it also counts the pool's spinning, so use wall time there.
   */
  clock?: 'wall' | 'cpu';
}

/** Times `session.run(feeds)` for each model, interleaved; one BenchmarkResult per model, in order. */
export async function interleavedLatencies(models: readonly Uint8Array[], feeds: Record<string, NdArray> | NdArray, opts: InterleavedOptions = {}): Promise<BenchmarkResult[]> {
  const runs = opts.runs ?? 15;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`interleavedLatencies: runs must be a positive integer, got ${runs}`);
  if (models.length === 0) throw new Error('interleavedLatencies: no models');
  const sessions: OrtSession[] = [];
  try {
    for (const m of models) sessions.push(await timingSession(m, opts.threads ?? 1));
    return await interleavedSessionLatencies(sessions, feeds, opts);
  } finally {
    for (const s of sessions) await s.release();
  }
}

/** A session as the timings use it: `threads` intra-op threads, 1 inter-op, every graph optimization. */
export function timingSession(model: Uint8Array, threads: number): Promise<OrtSession> {
  return OrtSession.create(model, { intraOpThreads: threads, interOpThreads: 1, graphOptimizationLevel: 'all' });
}

/** As interleavedLatencies, on sessions the caller created (and releases): lets a caller reuse them across timings. */
export async function interleavedSessionLatencies(sessions: readonly OrtSession[], feeds: Record<string, NdArray> | NdArray, opts: Omit<InterleavedOptions, 'threads'> = {}): Promise<BenchmarkResult[]> {
  const runs = opts.runs ?? 15;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`interleavedLatencies: runs must be a positive integer, got ${runs}`);
  const stop = opts.stopWhenApart;
  if (stop) {
    if (sessions.length !== 2) throw new Error(`interleavedLatencies: stopWhenApart compares two models, got ${sessions.length}`);
    if (!Number.isInteger(stop.afterRuns) || stop.afterRuns < 1) throw new Error(`interleavedLatencies: stopWhenApart.afterRuns must be a positive integer, got ${stop.afterRuns}`);
    if (!(stop.ratio > 1)) throw new Error(`interleavedLatencies: stopWhenApart.ratio must be > 1, got ${stop.ratio}`);
  }
  const clock = opts.clock ?? 'wall';
  if (clock !== 'wall' && clock !== 'cpu') throw new Error(`interleavedLatencies: clock must be 'wall' or 'cpu', got ${String(clock)}`);
  const times: number[][] = sessions.map(() => []);
  const mins = sessions.map(() => Infinity);
  for (let i = 0; i < (opts.warmup ?? 3); i++) for (const s of sessions) await s.run(feeds);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < sessions.length; k++) {
      const ms = clock === 'cpu' ? await cpuMs(() => sessions[k].run(feeds)) : await wallMs(() => sessions[k].run(feeds));
      times[k].push(ms);
      mins[k] = Math.min(mins[k], ms);
    }
    if (stop && i + 1 >= stop.afterRuns && Math.max(...mins) >= stop.ratio * Math.min(...mins)) break;
  }
  return times.map(summarize);
}

async function wallMs(run: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function cpuMs(run: () => Promise<unknown>): Promise<number> {
  const c0 = process.cpuUsage();
  await run();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/**
 * Median over rounds of `second`'s time / `first`'s time in the same round: a burst of load that slows
 * one round slows both runs of it, so the per-round ratio stays put where each model's min can drift.
 */
export function pairedRatio(first: BenchmarkResult, second: BenchmarkResult): number {
  const n = Math.min(first.times.length, second.times.length);
  if (n === 0) throw new Error('pairedRatio: no rounds');
  return summarize(Array.from({ length: n }, (_, i) => second.times[i] / first.times[i])).median;
}
