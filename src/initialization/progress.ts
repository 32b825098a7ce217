/**
 * Progress of the long initialization loops (statistics collection, BN adaptation, HAWQ traces, AutoQ
 * episodes). The library only counts: a sink set by the caller (the CLI's stderr line printer) shows
 * it; without one every call is a no-op, so API users and tests see nothing.
 */
export interface ProgressTask {
  /** `n` more units done (default 1). */
  tick(n?: number): void;
  /** The loop ended (also early: a short loader, a converged trace). */
  done(): void;
}

export interface ProgressSink {
  start(label: string, total: number, unit: string): ProgressTask;
}

const NOOP: ProgressTask = { tick() {}, done() {} };
let sink: ProgressSink | null = null;

/** Installs `s` (null: none); returns the previous sink so a caller can restore it. */
export function setProgressSink(s: ProgressSink | null): ProgressSink | null {
  const prev = sink;
  sink = s;
  return prev;
}

/** A task of `total` units on the current sink (a no-op task when there is none or total < 1). */
export function startProgress(label: string, total: number, unit: string): ProgressTask {
  return sink && total >= 1 ? sink.start(label, total, unit) : NOOP;
}
