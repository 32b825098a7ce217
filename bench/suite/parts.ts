/**
 * The parts of `npm run bench`, in run order. Each is its own npm script, run as a child with `--json`;
 * its last stdout line is a PartReport (types.ts) or, for eval:fashion, that script's own JSON (adapted
 * here). A part whose script or inputs do not exist yet is skipped with "not available yet: …".
 */
import { existsSync } from 'node:fs';
import { quantizeFromText } from './quantize-adapter.js';
import { engineFromText, trainFromText } from './text-adapters.js';
import { isPartReport, type PartReport } from './types.js';

export interface PartDef {
  name: string;
  title: string;
  /** npm script that runs the part alone. */
  script: string;
  args: string[];
  /** Files that must exist for the part to run, with what provides them. */
  needs: { path: string; from: string }[];
  /** Converts a script's own JSON line (or, failing that, its printed text) into a PartReport (default: the JSON line already is one). */
  adapt?: (json: unknown, stdout: string) => PartReport | null;
  timeoutMinutes: number;
}

interface EvalFashionJson {
  samples: number;
  top1: number;
  seconds: number;
}

function adaptEvalFashion(json: unknown): PartReport | null {
  const j = json as EvalFashionJson;
  if (typeof j?.top1 !== 'number') return null;
  return {
    part: 'fp32',
    rows: [
      { metric: `FP32 top-1 (ORT, ${j.samples} test images)`, value: 100 * j.top1, unit: '%' },
      { metric: 'evaluation wall time', value: j.seconds, unit: 's' },
    ],
  };
}

interface QatFashionJson {
  fp32Engine: number;
  ptq: number;
  ptqOrt: number;
  qat: number;
  qatOrt: number;
  trainSeconds: number;
  samples: number;
  epochs: number;
}

function adaptQatFashion(json: unknown): PartReport | null {
  const j = json as QatFashionJson;
  if (typeof j?.qat !== 'number') return null;
  const pct = (v: number) => 100 * v;
  const delta = (v: number) => `Δ vs FP32 ${(100 * (v - j.fp32Engine)).toFixed(2)} pt`;
  return {
    part: 'qat',
    rows: [
      { metric: 'PTQ INT8 top-1 (engine, simulated, 10k test images)', value: pct(j.ptq), unit: '%', note: delta(j.ptq) },
      { metric: 'PTQ INT8 top-1 (QDQ on ORT)', value: pct(j.ptqOrt), unit: '%' },
      { metric: 'QAT INT8 top-1 (engine, simulated)', value: pct(j.qat), unit: '%', note: delta(j.qat) },
      { metric: 'QAT INT8 top-1 (QDQ on ORT)', value: pct(j.qatOrt), unit: '%', note: `Δ vs simulated ${(100 * (j.qatOrt - j.qat)).toFixed(2)} pt` },
      { metric: 'QAT fine-tuning wall time', value: j.trainSeconds, unit: 's', note: `${j.samples} train images × ${j.epochs} epoch(s)` },
    ],
  };
}

export const PARTS: PartDef[] = [
  {
    name: 'fp32',
    title: 'FP32 accuracy — reference CNN on Fashion-MNIST',
    script: 'eval:fashion',
    args: ['--json'],
    needs: [
      { path: 'bench/eval-fashion.ts', from: 'issue 4 item 2' },
      { path: 'examples/fashion-mnist/model.onnx', from: 'npm run train:reference (issue 4 item 2)' },
      { path: '.cache/data/fashion-mnist/t10k-images-idx3-ubyte.gz', from: 'npm run get-data' },
    ],
    adapt: adaptEvalFashion,
    timeoutMinutes: 2,
  },
  {
    name: 'quantize',
    title: 'INT8 PTQ — accuracy, model size ratio, ORT latency FP32 vs INT8, PTQ wall time',
    script: 'bench:quantize',
    args: ['--json'],
    needs: [{ path: 'bench/quantize.bench.ts', from: 'the quantization issue (bench:quantize)' }],
    adapt: (json, stdout) => (isPartReport(json) ? json : quantizeFromText(stdout)),
    timeoutMinutes: 3,
  },
  {
    name: 'fashion-int8',
    title: 'INT8 PTQ accuracy — reference CNN through nncf-ts compress, model size ratio',
    script: 'bench:fashion-int8',
    args: ['--json'],
    needs: [
      { path: 'examples/fashion-mnist/model.onnx', from: 'npm run train:reference (issue 4 item 2)' },
      { path: 'examples/fashion-mnist/images.npy', from: 'issue 4 item 2' },
      { path: 'examples/fashion-mnist/int8.json', from: 'issue 4 item 2' },
      { path: '.cache/data/fashion-mnist/t10k-images-idx3-ubyte.gz', from: 'npm run get-data' },
    ],
    timeoutMinutes: 2,
  },
  {
    name: 'qat',
    title: 'INT8 QAT accuracy — reference CNN: PTQ, then fine-tuning with quantizers (30k images × 3 epochs)',
    script: 'bench:qat',
    args: ['--json'],
    needs: [
      { path: 'examples/fashion-mnist/model.onnx', from: 'npm run train:reference (issue 4 item 2)' },
      { path: '.cache/data/fashion-mnist/train-images-idx3-ubyte.gz', from: 'npm run get-data' },
    ],
    adapt: adaptQatFashion,
    timeoutMinutes: 12,
  },
  {
    name: 'sparsity',
    title: 'Sparsity — reference CNN: magnitude 50 %, RB 50 %, magnitude 50 % + INT8; 6,400 train images × 1 epoch; sizes and gzip',
    script: 'bench:sparsity',
    // RB runs the recipe of bench/sparsity/rb-fashion.json (2 epochs, freeze at 1) on 6,400 images (100
    // steps per epoch) to keep the part within its budget; the full 60k numbers are in docs/benchmarks.md
    args: ['--samples', '6400', '--rb-config', 'bench/sparsity/rb-fashion.json', '--json'],
    needs: [
      { path: 'examples/fashion-mnist/model.onnx', from: 'npm run train:reference (issue 4 item 2)' },
      { path: '.cache/data/fashion-mnist/train-images-idx3-ubyte.gz', from: 'npm run get-data' },
    ],
    adapt: (json) => ((json as PartReport | null)?.part === 'sparsity' ? { part: 'sparsity', rows: (json as PartReport).rows } : null),
    timeoutMinutes: 40,
  },
  {
    name: 'pruning',
    title: 'Filter pruning — reference CNN, pruning_target 0.4 from the start, fine-tuned, exported smaller, then INT8 QDQ',
    script: 'bench:pruning',
    // the issue-14 recipe (L1, KD from the FP32 model, SGD 0.002 Nesterov) on the full training set × 3
    // epochs: ≈ 10 min on a quiet machine (docs/benchmarks.md, bench:pruning, session 8)
    args: ['--recipe', 'bench/pruning-recipes/fashion-0.4-l1-kd.json', '--epochs', '3', '--threads', '1', '--json'],
    needs: [
      { path: 'examples/fashion-mnist/model.onnx', from: 'npm run train:reference (issue 4 item 2)' },
      { path: '.cache/data/fashion-mnist/train-images-idx3-ubyte.gz', from: 'npm run get-data' },
    ],
    timeoutMinutes: 60,
  },
  {
    name: 'train',
    title: 'Training throughput, QAT',
    script: 'bench:train',
    args: ['--json'],
    needs: [{ path: 'bench/train.bench.ts', from: 'the training issue (bench:train)' }],
    adapt: (json, stdout) => (isPartReport(json) ? json : trainFromText(stdout)),
    timeoutMinutes: 3,
  },
  {
    name: 'engine',
    title: 'Engine vs ORT forward — ResNet-8',
    script: 'bench:engine',
    args: ['--json', '--no-cpu', '--part', 'resnet8'],
    needs: [{ path: 'bench/engine.bench.ts', from: 'bench:engine' }],
    adapt: (json, stdout) => (isPartReport(json) ? json : engineFromText(stdout)),
    timeoutMinutes: 3,
  },
  {
    name: 'ocr',
    title: 'PP-OCR direction classifier — rendered set, FP32/INT8, latency, engine vs ORT',
    script: 'bench:ocr',
    args: ['--json'],
    needs: [
      { path: '.cache/data/ocr-models/ch_ppocr_mobile_v2.0_cls_infer.onnx', from: 'npm run get-data' },
      { path: '.cache/data/fonts', from: 'npm run get-data' },
    ],
    timeoutMinutes: 5,
  },
];

/** Why a part cannot run yet, or null. */
export function missing(part: PartDef): string | null {
  const gone = part.needs.filter((n) => !existsSync(n.path));
  return gone.length ? gone.map((n) => `${n.path} (${n.from})`).join(', ') : null;
}
