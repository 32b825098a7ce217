/**
 * npx tsx bench/pruning-bn-check.ts MODEL.onnx [N ...]
 * Top-1 on ORT (10k Fashion-MNIST test images) of a Fashion model as saved, and after re-estimating its
 * BatchNorm running statistics on N training images (engine BN adaptation, batch 64, no weight change).
 * A fine-tuned model that gains much from this carries running statistics that lag its final weights
 * (e.g. a constant, high learning rate at the end of training). Used for issue 14's BN check.
 */
import { readFileSync } from 'node:fs';
import { createCompressedModel, exportCompressedModelBytes } from '../src/api.js';
import { NNCFConfig } from '../src/config/index.js';
import { loadData, parsePreprocessSpec, type NdArray } from '../src/data/index.js';
import { initBackend } from '../src/engine/index.js';
import { parseOnnx } from '../src/frontends/onnx/index.js';
import { adaptBatchNormOnEngine } from '../src/initialization/index.js';
import { evaluateOrt } from './reference/evaluate.js';
await initBackend('wasm');
const pre = parsePreprocessSpec('channel=first,scale=1/255,mean=0.286,std=0.353');
const train = await loadData('.cache/data/fashion-mnist', { split: 'train', preprocess: pre, sampleShape: [1, 28, 28] });
const test = await loadData('.cache/data/fashion-mnist', { split: 't10k', preprocess: pre, sampleShape: [1, 28, 28] });
const tx = test.x as NdArray<'float32'>;
const bytes = new Uint8Array(readFileSync(process.argv[2]));
console.log('as saved', (await evaluateOrt(bytes, tx, test.y!)).top1);
for (const n of process.argv.slice(3).map(Number)) {
  const r = await createCompressedModel(parseOnnx(bytes), NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 28, 28] }, compression: [] }));
  const ds = train.shuffled(7).take(n);
  await adaptBatchNormOnEngine(r.model, { dataset: ds, batchSize: 64 } as never, n);
  const b = exportCompressedModelBytes(r);
  console.log('bn adapt', n, (await evaluateOrt(b, tx, test.y!)).top1);
}
