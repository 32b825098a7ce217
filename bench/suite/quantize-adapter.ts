/**
 * Rows read from bench:quantize's printed report while it prints no PartReport JSON line: FP32 vs INT8
 * ORT latency at each batch (min/median, ratios), PTQ wall time and the plain FP32 pass it is compared
 * with. Numbers are the script's own from this run; an unrecognised layout gives null.
 */
import type { BenchRow, PartReport } from './types.js';

const MINMED = /min ([\d.]+) ms, median ([\d.]+) ms/g;

function pairs(line: string): { min: number; median: number }[] {
  return [...line.matchAll(MINMED)].map((m) => ({ min: Number(m[1]), median: Number(m[2]) }));
}

const timing = (metric: string, t: { min: number; median: number }): BenchRow => ({
  metric,
  value: t.median,
  unit: 'ms',
  ...t,
});
const ratio = (
  metric: string,
  a: { min: number; median: number },
  b: { min: number; median: number },
  note: string,
): BenchRow => ({
  metric,
  value: a.median / b.median,
  unit: '×',
  min: a.min / b.min,
  median: a.median / b.median,
  note,
});

export function quantizeFromText(stdout: string): PartReport | null {
  const rows: BenchRow[] = [];
  const model = /^model: (.+?) \(/m.exec(stdout)?.[1] ?? 'model';
  for (const line of stdout.split('\n')) {
    const b = /^\s*batch (\d+)\s/.exec(line)?.[1];
    const t = pairs(line);
    if (b && t.length >= 2) {
      rows.push(
        timing(`${model}: ORT FP32 latency, batch ${b}`, t[0]),
        timing(`${model}: ORT INT8 latency, batch ${b}`, t[1]),
      );
      rows.push(ratio(`${model}: ORT FP32 / INT8 time, batch ${b}`, t[0], t[1], '> 1: INT8 is faster'));
    }
  }
  const ptqLine = stdout.split('\n').find((l) => /^PTQ over \d+/.test(l));
  const fpLine = stdout.split('\n').find((l) => /^plain FP32 inference/.test(l));
  const ptq = ptqLine ? pairs(ptqLine)[0] : undefined;
  const fp = fpLine ? pairs(fpLine)[0] : undefined;
  if (ptq) {
    const n = /^PTQ over (\d+)/.exec(ptqLine!)?.[1];
    rows.push(timing(`${model}: PTQ wall time (${n} calibration samples)`, ptq));
    if (fp)
      rows.push(
        ratio(`${model}: PTQ / one FP32 pass over them`, ptq, fp, 'range init + BN adaptation + export'),
      );
  }
  return rows.length ? { part: 'quantize', rows } : null;
}
