/**
 * The CLI's progress display: one stderr line per task, rewritten in place ("\r") at most every
 * `intervalMs`, with the rate and the remaining time, ended by a newline. Only on a TTY and without
 * --quiet: a pipe or a log file gets nothing, so scripted output stays clean.
 */
import type { ProgressSink, ProgressTask } from '../initialization/index.js';

/** "1m05s", "42s", "0.4s": a short duration for the ETA and the elapsed time. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m - 60 * h).padStart(2, '0')}m`;
}

/** "Statistics collection  12/64 batches  3.2 batches/s  ETA 16s" (the rate once a unit is done). */
export function formatProgress(label: string, done: number, total: number, unit: string, elapsedMs: number): string {
  const head = `${label}  ${done}/${total} ${unit}`;
  if (done <= 0 || elapsedMs <= 0) return head;
  const rate = (done * 1000) / elapsedMs;
  const r = rate >= 10 ? rate.toFixed(0) : rate >= 1 ? rate.toFixed(1) : rate.toFixed(2);
  const tail = done >= total ? `in ${formatDuration(elapsedMs)}` : `ETA ${formatDuration(((total - done) / rate) * 1000)}`;
  return `${head}  ${r} ${unit}/s  ${tail}`;
}

export interface LineProgressOptions {
  stream?: { write(s: string): unknown; isTTY?: boolean };
  quiet?: boolean;
  now?: () => number;
  intervalMs?: number;
}

/** A sink that draws on `stream` (default stderr); null when quiet or not a TTY. */
export function lineProgressSink(o: LineProgressOptions = {}): ProgressSink | null {
  const stream = o.stream ?? process.stderr;
  if (o.quiet || !stream.isTTY) return null;
  const now = o.now ?? (() => performance.now());
  const interval = o.intervalMs ?? 200;
  return {
    start(label: string, total: number, unit: string): ProgressTask {
      const t0 = now();
      let done = 0;
      let drawn = -Infinity;
      let open = true;
      const draw = () => {
        drawn = now();
        stream.write(`\r${formatProgress(label, done, total, unit, drawn - t0)}\x1b[K`);
      };
      draw();
      return {
        tick(n = 1) {
          done = Math.min(total, done + n);
          if (open && (done === total || now() - drawn >= interval)) draw();
        },
        done() {
          if (!open) return;
          draw();
          open = false;
          stream.write('\n');
        },
      };
    },
  };
}
