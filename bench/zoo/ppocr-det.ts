/**
 * PP-OCRv4 det (real, pretrained) INT8 vs FP32 on rendered pages (bench/zoo/det-pages.ts): PTQ through
 * the API (QDQ, range init on calibration pages of another seed, BN adaptation off), then the DB
 * probability maps of FP32 and INT8 on onnxruntime (1 thread) → boxes (threshold 0.3, 4-connected
 * components, bench/zoo/db-boxes.ts) → INT8 boxes matched to FP32's at IoU ≥ 0.5: precision, recall,
 * F1, mean IoU; also latency (interleaved, batch 1) and size.
 *   npx tsx bench/zoo/ppocr-det.ts [--pages 40] [--calib 16] [--write-docs]   (also run by `npm run bench:zoo`)
 */
import { createCompressedModel, exportCompressedModelBytes } from '../../src/api.js';
import { BNAdaptationInitArgs, NNCFConfig, QuantizationRangeInitArgs } from '../../src/config/index.js';
import { Dataset, type NdArray } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { countLinearKernels, interleavedLatencies, OrtSession } from '../../src/runtime/index.js';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../src/data/fs.js';
import { agreementScores, dbBoxes, matchBoxes, type Box } from './db-boxes.js';
import { PAGE, renderPages } from './det-pages.js';

export const DET = '.cache/data/ocr-models/ch_PP-OCRv4_det_infer.onnx';

export interface DetRow {
  pages: number;
  fp32Boxes: number;
  precision: number;
  recall: number;
  f1: number;
  meanIou: number;
  sizeRatio: number;
  kernels: { integer: number; float: number };
  fp32Ms: number;
  int8Ms: number;
  ptqSeconds: number;
}

async function boxesOf(model: string | Uint8Array, x: NdArray<'float32'>): Promise<Box[][]> {
  const s = await OrtSession.create(model as never, { intraOpThreads: 1 });
  const per = 3 * PAGE.height * PAGE.width;
  try {
    const out: Box[][] = [];
    for (let p = 0; p < x.shape[0]; p++) {
      const y = Object.values(await s.run({ dtype: 'float32', shape: [1, 3, PAGE.height, PAGE.width], data: x.data.slice(p * per, (p + 1) * per) } as never))[0];
      out.push(dbBoxes(y.data as Float32Array, y.shape[2], y.shape[3]));
    }
    return out;
  } finally {
    await s.release();
  }
}

export async function detAgreement(o: { pages?: number; calib?: number; extra?: Record<string, unknown> } = {}): Promise<DetRow> {
  await initBackend('wasm');
  const pages = o.pages ?? 40;
  const evalX = renderPages(pages, 20250);
  const calibX = renderPages(o.calib ?? 16, 20251);
  const t0 = Date.now();
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [1, 3, PAGE.height, PAGE.width] },
    compression: {
      algorithm: 'quantization',
      export_to_onnx_standard_ops: true,
      initializer: { range: { num_init_samples: calibX.shape[0] }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } },
      ...o.extra,
    },
  });
  const loader = { dataset: new Dataset(calibX), batchSize: 4 };
  config.registerExtraStructs([new QuantizationRangeInitArgs(loader), new BNAdaptationInitArgs(loader)]);
  const r = await createCompressedModel(await loadOnnxModel(DET), config);
  const int8 = exportCompressedModelBytes(r);
  r.controller.dispose();
  r.model.engine.dispose();
  const ptqSeconds = (Date.now() - t0) / 1000;
  const [ref, cand] = [await boxesOf(DET, evalX), await boxesOf(int8, evalX)];
  const s = agreementScores(ref.map((b, p) => matchBoxes(b, cand[p])));
  const fp32 = new Uint8Array(readFileSync(DET));
  const one = { dtype: 'float32', shape: [1, 3, PAGE.height, PAGE.width], data: evalX.data.slice(0, 3 * PAGE.height * PAGE.width) } as never;
  const [lf, lq] = await interleavedLatencies([fp32, int8], one, { runs: 10, warmup: 2 });
  const k = await countLinearKernels(int8);
  return { pages, fp32Boxes: ref.reduce((a, b) => a + b.length, 0), ...s, sizeRatio: int8.length / fp32.length, kernels: { integer: k.integer, float: k.float }, fp32Ms: lf.min, int8Ms: lq.min, ptqSeconds };
}

export function detRowMarkdown(d: DetRow): string {
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  return `| PP-OCRv4 det (pretrained) | ${d.pages} pages ${PAGE.width}×${PAGE.height}, ${d.fp32Boxes} FP32 boxes | ${pct(d.precision)} / ${pct(d.recall)} / ${pct(d.f1)} | ${d.meanIou.toFixed(3)} | ${d.sizeRatio.toFixed(3)} | ${d.kernels.integer} / ${d.kernels.float} | ${d.fp32Ms.toFixed(1)} / ${d.int8Ms.toFixed(1)} (${(d.fp32Ms / d.int8Ms).toFixed(2)}×) | ${d.ptqSeconds.toFixed(0)} |`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k: string) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : undefined; };
  await detSection(process.argv.includes('--write-docs'), { pages: Number(arg('--pages') ?? 40), calib: Number(arg('--calib') ?? 16) });
}

/** Runs the det comparison, prints its table and (writeDocs) replaces its section of docs/benchmarks.md. */
export async function detSection(writeDocs: boolean, o: { pages?: number; calib?: number } = {}): Promise<void> {
  if (!existsSync(DET)) {
    console.log(`PP-OCR det: skipped (${DET} is missing: npm run get-data)`);
    return;
  }
  const started = new Date().toISOString();
  const d = await detAgreement(o);
  const header = [
    '| model | pages | INT8 boxes vs FP32 boxes: precision / recall / F1 | mean IoU of matched | INT8 / FP32 size | integer / float Conv (ORT) | FP32 / INT8 ms (min, 1 thread, batch 1) | PTQ s |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  console.log([...header, detRowMarkdown(d)].join('\n'));
  if (!writeDocs) return;
  const section = [
    '<!-- bench:zoo-ppocr-det start: generated by `npm run bench:zoo -- --write-docs` (bench/zoo/ppocr-det.ts) -->',
    '### PP-OCRv4 det: INT8 boxes vs FP32 boxes on rendered pages',
    '',
    `Run started ${started}. PTQ through the API (QDQ, range init on ${o.calib ?? 16} rendered pages of another seed, BN adaptation off, no latency check).`,
    `Pages: ${PAGE.width}×${PAGE.height}, 3–6 dark Chinese/Latin lines on a light page (bench/zoo/det-pages.ts), PaddleOCR's det normalization.`,
    'Boxes: the probability map thresholded at 0.3, 4-connected components (≥ 10 pixels) as axis-aligned boxes, the same rule for both models;',
    'an INT8 box matches an FP32 box at IoU ≥ 0.5 (greedy, best first). Precision/recall/F1 of INT8 against FP32, summed over the pages.',
    '',
    ...header,
    detRowMarkdown(d),
    '<!-- bench:zoo-ppocr-det end -->',
  ].join('\n');
  const doc = readFileSync('docs/benchmarks.md', 'utf8');
  const re = /<!-- bench:zoo-ppocr-det start[\s\S]*?<!-- bench:zoo-ppocr-det end -->/;
  await writeFileAtomic('docs/benchmarks.md', re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}\n`);
  console.log('wrote the bench:zoo-ppocr-det section of docs/benchmarks.md');
}
