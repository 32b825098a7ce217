/**
 * PP-OCRv4 rec (real, pretrained) through `nncf-ts compress` (bench/zoo/rec-int8.json, latency check on):
 * greedy CTC decoding of FP32 and INT8 on the upright rendered lines of the direction set (48×192), the
 * INT8 strings' character accuracy against FP32's (1 − edit distance / length), latency (1 thread,
 * batch 1, interleaved) and size.   npx tsx bench/zoo/ppocr-rec.ts [--lines 300]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { interleavedLatencies, OrtSession, countLinearKernels } from '../../src/runtime/index.js';
import { loadDirectionSet } from '../ocr/direction-set.js';

const REC = '.cache/data/ocr-models/ch_PP-OCRv4_rec_infer.onnx';
const i = process.argv.indexOf('--lines');
const lines = i > 0 ? Number(process.argv[i + 1]) : 300;
mkdirSync('.cache/bench', { recursive: true });
const out = '.cache/bench/rec-int8.onnx';
const t0 = performance.now();
const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'compress', '--model', REC, '--config', 'bench/zoo/rec-int8.json', '--data', '.cache/data/ocr-direction-calib/x.npy', '--out', out, '--batch-size', '8', ...(process.argv.includes('--no-latency-check') ? ['--no-latency-check'] : [])], { encoding: 'utf8' });
const seconds = (performance.now() - t0) / 1000;
if (r.status !== 0) throw new Error(`compress failed: ${r.stderr}`);
const kept = /Latency check: blocks kept float\s+│ ([^│]+)│/.exec(r.stdout)?.[1].trim() ?? 'off';
const set = await loadDirectionSet();
const per = set.x.shape.slice(1).reduce((a, b) => a * b, 1);
const upright = Array.from(set.labels.data, Number).flatMap((l, k) => (l === 0 ? [k] : [])).slice(0, lines);
const decode = (probs: Float32Array, steps: number, classes: number) => {
  const ids: number[] = [];
  let prev = 0;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[t * classes + c] > probs[t * classes + best]) best = c;
    if (best !== 0 && best !== prev) ids.push(best);
    prev = best;
  }
  return ids;
};
const texts = async (model: string) => {
  const s = await OrtSession.create(model, { intraOpThreads: 1 });
  try {
    const res: number[][] = [];
    for (const k of upright) {
      const x = { dtype: 'float32', shape: [1, ...set.x.shape.slice(1)], data: (set.x.data as Float32Array).slice(k * per, (k + 1) * per) } as never;
      const y = Object.values(await s.run(x))[0];
      res.push(decode(y.data as Float32Array, y.shape[1], y.shape[2]));
    }
    return res;
  } finally { await s.release(); }
};
const edit = (a: number[], b: number[]) => {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let x = 1; x <= a.length; x++) {
    let prev = d[0];
    d[0] = x;
    for (let y = 1; y <= b.length; y++) {
      const cur = d[y];
      d[y] = Math.min(d[y] + 1, d[y - 1] + 1, prev + (a[x - 1] === b[y - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
};
const [f, q] = [await texts(REC), await texts(out)];
const chars = f.reduce((a, s) => a + s.length, 0);
const errors = f.reduce((a, s, k) => a + edit(s, q[k]), 0);
const same = f.filter((s, k) => s.join() === q[k].join()).length;
const fp32 = new Uint8Array(readFileSync(REC));
const int8 = new Uint8Array(readFileSync(out));
const k = await countLinearKernels(int8);
const one = { dtype: 'float32', shape: [1, ...set.x.shape.slice(1)], data: (set.x.data as Float32Array).slice(0, per) } as never;
const [lf, lq] = await interleavedLatencies([fp32, int8], one, { runs: 30, warmup: 3 });
console.log(`| PP-OCRv4 rec (pretrained) | ${(fp32.length / 2 ** 20).toFixed(1)} | ${(int8.length / fp32.length).toFixed(3)} | ${k.integer} / ${k.float} | ${kept} | ${lf.min.toFixed(2)} / ${lf.median.toFixed(2)} | ${lq.min.toFixed(2)} / ${lq.median.toFixed(2)} | ${(lf.min / lq.min).toFixed(2)}× / ${(lf.median / lq.median).toFixed(2)}× | ${(100 * (1 - errors / chars)).toFixed(2)} % of ${chars} chars; ${same}/${upright.length} lines identical | ${seconds.toFixed(1)} |`);
