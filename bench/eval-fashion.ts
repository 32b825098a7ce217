/**
 * Top-1 of any ONNX classifier on the full Fashion-MNIST test set (10,000 images) with onnxruntime-node.
 * Inputs are preprocessed as the reference model expects: (pixel/255 − 0.2860)/0.3530, N×1×28×28 float32.
 *
 *   npm run eval:fashion -- [MODEL.onnx] [--batch 500] [--threads N] [--limit N] [--json]
 *
 * MODEL defaults to examples/fashion-mnist/model.onnx. Prints top-1 (and per-class top-1), or one JSON
 * line with --json.
 */
import { parseArgs } from 'node:util';
import type { NdArray } from '../src/data/index.js';
import { OrtSession } from '../src/runtime/index.js';
import { evaluateOrt } from './reference/evaluate.js';
import { FASHION_CLASSES, loadFashion } from './reference/fashion-data.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    batch: { type: 'string', default: '500' },
    threads: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const modelPath = positionals[0] ?? 'examples/fashion-mnist/model.onnx';
let test = await loadFashion('t10k');
if (args.limit !== undefined) test = test.take(Number(args.limit));
const session = await OrtSession.create(modelPath, args.threads ? { intraOpThreads: Number(args.threads) } : {});
const result = await evaluateOrt(session, test.x as NdArray<'float32'>, test.y!, Number(args.batch));

const labels = test.labelIds();
const perClass = FASHION_CLASSES.map((name, c) => {
  let total = 0;
  let hits = 0;
  labels.forEach((l, i) => {
    if (l !== c) return;
    total++;
    if (result.predictions[i] === c) hits++;
  });
  return { name, top1: total ? hits / total : NaN };
});

if (args.json) {
  console.log(JSON.stringify({ model: modelPath, samples: test.length, top1: result.top1, seconds: result.seconds, perClass }));
} else {
  console.log(`${modelPath}: top-1 ${(100 * result.top1).toFixed(2)}% on ${test.length} Fashion-MNIST test images (${result.seconds.toFixed(1)} s, onnxruntime-node)`);
  for (const c of perClass) console.log(`  ${c.name.padEnd(12)} ${(100 * c.top1).toFixed(1)}%`);
}
