/**
 * One zoo model through PTQ (QDQ export) with seeded random calibration images; prints quantizer counts,
 * ORT's integer/float linear kernels of FP32 and INT8 and (with --latency) FP32/INT8 latency interleaved.
 *   npx tsx bench/zoo/quick-ptq.ts resnet18-bn-b1 [--config '{"activations":{"per_channel":false}}'] [--latency] [--samples 8]
 */
import { readFileSync } from 'node:fs';
import { createCompressedModel, exportCompressedModelBytes } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { countLinearKernels } from '../../src/runtime/index.js';
import { interleavedLatency, randomImages, ZOO_DIR } from './zoo.js';

const [name, ...rest] = process.argv.slice(2);
const arg = (k: string) => { const i = rest.indexOf(k); return i >= 0 ? rest[i + 1] : undefined; };
const path = `${ZOO_DIR}/${name}.onnx`;
const samples = Number(arg('--samples') ?? 8);
await initBackend('wasm');
const config = NNCFConfig.fromObject({
  input_info: { sample_size: [1, 3, 224, 224] },
  compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true, initializer: { range: { num_init_samples: samples }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } }, ...JSON.parse(arg('--config') ?? '{}') },
});
const t0 = Date.now();
const r = await createCompressedModel(await loadOnnxModel(path), config, { initDataset: new Dataset(randomImages(samples, 1)) });
const int8 = exportCompressedModelBytes(r);
console.log(`PTQ ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(r.controller.statistics().toString().split('\n').slice(0, 12).join('\n'));
r.controller.dispose();
const fp32 = new Uint8Array(readFileSync(path));
console.log('FP32 kernels', JSON.stringify(await countLinearKernels(fp32)));
console.log('INT8 kernels', JSON.stringify(await countLinearKernels(int8)));
console.log(`size INT8/FP32 ${(int8.length / fp32.length).toFixed(3)}`);
if (rest.includes('--latency')) console.log(await interleavedLatency(fp32, int8));
