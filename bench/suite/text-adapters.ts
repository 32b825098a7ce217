/**
 * Rows read from the printed tables of bench:engine and bench:train, used only while those scripts print
 * no PartReport JSON line of their own (types.ts). Every number is one the script measured and printed in
 * this run; an unrecognised layout gives null, and the part is reported as not available.
 */
import type { BenchRow, PartReport } from './types.js';

const num = (s: string) => Number(s.replace(/[^0-9.eE+-]/g, ''));

/** bench:engine's "images/s" table: `what  backend  batch  ms-min  ms-median  img/s-best  img/s-median`. */
export function engineFromText(stdout: string): PartReport | null {
  const re =
    /^\s*(engine forward|engine train step|tfjs ops forward|tfjs ops train step|onnxruntime forward)\s+(\S+(?: \d+ thread)?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$/;
  const found = new Map<
    string,
    { backend: string; batch: number; min: number; median: number; ips: number }
  >();
  for (const line of stdout.split('\n')) {
    const m = re.exec(line);
    if (m)
      found.set(`${m[1]}|${m[2]}`, {
        backend: m[2],
        batch: num(m[3]),
        min: num(m[4]),
        median: num(m[5]),
        ips: num(m[7]),
      });
  }
  const fwd = found.get('engine forward|wasm');
  const ort = [...found.entries()].find(([k]) => k.startsWith('onnxruntime forward|'))?.[1];
  const train = found.get('engine train step|wasm');
  if (!fwd || !ort) return null;
  const rows: BenchRow[] = [
    {
      metric: `ResNet-8 engine forward (wasm), batch ${fwd.batch}`,
      value: fwd.median,
      unit: 'ms',
      min: fwd.min,
      median: fwd.median,
    },
    {
      metric: `ResNet-8 ORT forward (${ort.backend}), batch ${ort.batch}`,
      value: ort.median,
      unit: 'ms',
      min: ort.min,
      median: ort.median,
    },
    {
      metric: 'ResNet-8 engine / ORT forward time',
      value: fwd.median / ort.median,
      unit: '×',
      min: fwd.min / ort.min,
      median: fwd.median / ort.median,
      note: '> 1: the engine is slower',
    },
  ];
  if (train)
    rows.push({
      metric: `ResNet-8 engine train step (wasm), batch ${train.batch}`,
      value: train.median,
      unit: 'ms',
      min: train.min,
      median: train.median,
      note: `${train.ips.toFixed(1)} img/s (median)`,
    });
  return { part: 'engine', rows };
}

/** bench:train's lines `NAME  X ms/step  ×R of FP32` under its header `…, batch B, …, median of N steps …`. */
export function trainFromText(stdout: string): PartReport | null {
  const batch = /batch (\d+)/.exec(stdout)?.[1];
  const rows: BenchRow[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+(?: \S+)*?)\s+([\d.]+) ms\/step\s+×([\d.]+) of FP32\s*$/.exec(line.trim());
    if (!m) continue;
    const ms = num(m[2]);
    const note = batch
      ? `${((Number(batch) * 1000) / ms).toFixed(1)} img/s; median only (bench:train prints no min)`
      : 'median only';
    rows.push({
      metric: `train step ${m[1]}${batch ? `, batch ${batch}` : ''}`,
      value: ms,
      unit: 'ms',
      median: ms,
      note,
    });
    if (m[1] !== 'FP32')
      rows.push({
        metric: `train step ${m[1]} / FP32 time`,
        value: num(m[3]),
        unit: '×',
        median: num(m[3]),
        note: '> 1: slower than FP32',
      });
  }
  return rows.length ? { part: 'train', rows } : null;
}
