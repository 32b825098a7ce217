/**
 * INT8 vs FP32 on onnxruntime-node for zoo models (`npm run get-models`): PTQ through the public API
 * with a config that names only `export_to_onnx_standard_ops` (plus optional extra keys), then
 * ORT's integer/float linear kernels, file size and latency (1 thread, batch 1, FP32 and INT8 runs
 * interleaved; min and median).
 *
 *   npm run bench:zoo-int8 -- [MODEL-STYLE-BATCH ...] [--extra '{"activations":{"per_channel":true}}'] [--runs 40]
 *   default models: resnet18 and mobilenet_v2, folded and BN-kept, dynamic batch
 */
import { countLinearKernels } from '../../src/runtime/index.js';
import { quantizeZooModel } from './ptq.js';
import { interleavedLatency, ZOO_DIR, zooManifest } from './zoo.js';

const args = process.argv.slice(2);
const opt = (k: string) => { const i = args.indexOf(k); return i >= 0 ? args.splice(i, 2)[1] : undefined; };
const extra = JSON.parse(opt('--extra') ?? '{}') as Record<string, unknown>;
const runs = Number(opt('--runs') ?? 40);
const manifest = zooManifest();
if ('missing' in manifest) {
  console.error(`bench:zoo-int8: ${manifest.missing}`);
  process.exit(1);
}
const names = args.length ? args : ['resnet18-folded-dyn', 'resnet18-bn-dyn', 'mobilenet_v2-folded-dyn', 'mobilenet_v2-bn-dyn'];
console.log(`extra config: ${JSON.stringify(extra)}; 1 thread, batch 1, ${runs} interleaved runs each`);
console.log('| model | INT8 integer / float linear kernels | size INT8/FP32 | FP32 ms min/med | INT8 ms min/med | speed-up (median) | PTQ s |');
console.log('|---|---|---|---|---|---|---|');
for (const name of names) {
  const q = await quantizeZooModel(`${ZOO_DIR}/${name}.onnx`, extra);
  const k = await countLinearKernels(q.int8);
  const l = await interleavedLatency(q.fp32, q.int8, { runs });
  const f = (x: number) => x.toFixed(2);
  console.log(`| ${name} | ${k.integer} / ${k.float} | ${(q.int8.length / q.fp32.length).toFixed(3)} | ${f(l.fp32.min)} / ${f(l.fp32.median)} | ${f(l.int8.min)} / ${f(l.int8.median)} | ${l.speedupMedian.toFixed(2)}× | ${q.seconds.toFixed(1)} |`);
}
