/**
 * npm run bench:ocr -- [--json] [--engine-repeats 5]
 *
 * The PP-OCR direction classifier (ch_ppocr_mobile_v2.0_cls) on the rendered direction set: FP32 top-1
 * with onnxruntime-node; ORT latency at batch 1 and 64 (one thread); our engine's forward vs ORT's; INT8
 * PTQ through `nncf-ts compress` (wall time, top-1, size ratio, latency ratio) when the framework can
 * quantize and export this model. The sets are rendered first if missing.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BenchRow } from '../suite/types.js';
import { emitJson } from '../suite/types.js';
import { DEFAULT_CLS_MODEL, directionAccuracy } from './accuracy.js';
import { DEFAULT_SET_DIR, isCurrentSet, loadDirectionSet } from './direction-set.js';
import { engineForward } from './engine-forward.js';
import { fileMB, quantizeCls } from './int8.js';
import { DEFAULT_LINES, DEFAULT_SEED, makeAndSave } from './make-set.js';
import { ortLatency, ratioRow, timingRow } from './timing.js';

const { values: args } = parseArgs({
  options: { json: { type: 'boolean', default: false }, 'engine-repeats': { type: 'string', default: '5' } },
});
const CALIB_DIR = '.cache/data/ocr-direction-calib';
const CALIB_LINES = 128;
const CALIB_SEED = DEFAULT_SEED + 1;
const INT8_PATH = '.cache/bench/ch_ppocr_mobile_v2.0_cls_int8.onnx';
const log = (s: string) => process.stderr.write(`${s}\n`);

if (!existsSync(DEFAULT_CLS_MODEL))
  throw new Error(`${DEFAULT_CLS_MODEL} missing: run 'npm run get-data -- ocr-models'`);
if (!(await isCurrentSet(DEFAULT_SET_DIR, DEFAULT_LINES, DEFAULT_SEED)))
  log(
    `rendering ${DEFAULT_SET_DIR}: ${(await makeAndSave(DEFAULT_LINES, DEFAULT_SEED, DEFAULT_SET_DIR)).seconds.toFixed(1)} s`,
  );
if (!(await isCurrentSet(CALIB_DIR, CALIB_LINES, CALIB_SEED)))
  log(
    `rendering ${CALIB_DIR}: ${(await makeAndSave(CALIB_LINES, CALIB_SEED, CALIB_DIR)).seconds.toFixed(1)} s`,
  );
const set = await loadDirectionSet();
const rows: BenchRow[] = [];
const pct = (v: number) => 100 * v;

const fp32 = await directionAccuracy(set);
rows.push({
  metric: 'FP32 top-1 (ORT)',
  value: pct(fp32.top1),
  unit: '%',
  note: `${fp32.samples} samples; Chinese ${pct(fp32.cjk).toFixed(2)}%, Latin ${pct(fp32.latin).toFixed(2)}%`,
});
log(`FP32 top-1 ${pct(fp32.top1).toFixed(2)}%`);

const fp32Lat = {
  1: await ortLatency(DEFAULT_CLS_MODEL, set.x, 1),
  64: await ortLatency(DEFAULT_CLS_MODEL, set.x, 64),
};
rows.push(
  timingRow('ORT FP32 latency (1 thread), batch 1', fp32Lat[1]),
  timingRow('ORT FP32 latency (1 thread), batch 64', fp32Lat[64]),
);

const eng = await engineForward(DEFAULT_CLS_MODEL, set.x, 64, Number(args['engine-repeats']));
rows.push(
  timingRow(
    'engine forward (wasm), batch 64',
    eng.timing,
    `max |engine − ORT| ${eng.maxAbsDiff.toExponential(1)}`,
  ),
);
rows.push(
  ratioRow('engine / ORT forward time, batch 64', eng.timing, fp32Lat[64], '> 1: the engine is slower'),
);
log(`engine forward b64 median ${eng.timing.median.toFixed(1)} ms`);

mkdirSync('.cache/bench', { recursive: true });
const q = quantizeCls(DEFAULT_CLS_MODEL, `${CALIB_DIR}/x.npy`, INT8_PATH);
if (!q.ok) {
  rows.push({ metric: 'INT8 PTQ', note: `not available yet: ${q.reason}` });
} else {
  rows.push({ metric: 'PTQ wall time (nncf-ts compress)', value: q.seconds, unit: 's' });
  try {
    const int8 = await directionAccuracy(set, q.path);
    rows.push({
      metric: 'INT8 top-1 (ORT)',
      value: pct(int8.top1),
      unit: '%',
      note: `Δ vs FP32 ${(pct(int8.top1) - pct(fp32.top1)).toFixed(2)} pt`,
    });
    rows.push({
      metric: 'model size INT8 / FP32',
      value: fileMB(q.path) / fileMB(DEFAULT_CLS_MODEL),
      unit: '×',
    });
    for (const b of [1, 64] as const) {
      const t = await ortLatency(q.path, set.x, b);
      rows.push(
        timingRow(`ORT INT8 latency (1 thread), batch ${b}`, t),
        ratioRow(`ORT FP32 / INT8 time, batch ${b}`, fp32Lat[b], t, '> 1: INT8 is faster'),
      );
    }
  } catch (err) {
    rows.push({
      metric: 'INT8 evaluation',
      note: `not available yet: ${(err as Error).message.split('\n')[0]}`,
    });
  }
}

if (args.json) emitJson({ part: 'ocr', rows });
else
  for (const r of rows)
    console.log(
      `${r.metric.padEnd(38)} ${r.value === undefined ? '' : `${r.value.toFixed(r.unit === '%' ? 2 : 3)} ${r.unit ?? ''}`}${r.min !== undefined ? ` (min ${r.min.toFixed(3)})` : ''}${r.note ? `  ${r.note}` : ''}`,
    );
