/**
 * What every bench part reports to `npm run bench` (bench/run-all.ts). A part's script, run with `--json`,
 * prints this object as the LAST line of its stdout: `{"part": "...", "rows": [...]}`. Timings carry min
 * and median over repeated runs (ms); a comparison is a row with unit '×' computed in the same run.
 */
export interface BenchRow {
  metric: string;
  /** The number (for a timing: the median). Absent when the row only carries a note. */
  value?: number;
  /** 'ms', '%', '×', 'img/s', 'MB', 's', … */
  unit?: string;
  /** For timings: min and median of the repeated runs. */
  min?: number;
  median?: number;
  note?: string;
}

export interface PartReport {
  part: string;
  rows: BenchRow[];
}

export type PartStatus = 'ok' | 'skipped' | 'failed';

export interface PartResult extends PartReport {
  title: string;
  status: PartStatus;
  /** Why a part was skipped or failed ("not available yet: …"). */
  reason?: string;
  command: string;
  seconds: number;
}

export interface SuiteResult {
  startedAt: string;
  seconds: number;
  machine: Record<string, string | number>;
  parts: PartResult[];
}

/** Prints the part's report as the last stdout line (the `--json` contract). */
export function emitJson(report: PartReport): void {
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** Parses the last line of `stdout` that is a JSON object, or null. */
export function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      return JSON.parse(t);
    } catch {
      return null;
    }
  }
  return null;
}

export const isPartReport = (v: unknown): v is PartReport =>
  typeof v === 'object' && v !== null && Array.isArray((v as PartReport).rows);
