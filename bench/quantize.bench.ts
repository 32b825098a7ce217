/**
 * `npm run bench:quantize`: in one run, on onnxruntime-node (1 intra-op thread, graph optimization 'all'):
 *  - FP32 vs INT8 (our PTQ, default config, QDQ export) latency at batch 1 and 64 (min / median ms);
 *  - PTQ wall time (createCompressedModel with range init + BN adaptation, then export) vs plain FP32
 *    inference over the same calibration set.
 * Model: examples/fashion-mnist (model.onnx + images.npy + int8.json) when present, else the digits CNN
 * of the tests (trained and cached on first use) with the digits as calibration data.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseJsonc } from 'jsonc-parser';
import * as ort from 'onnxruntime-node';
import { createCompressedModel, exportCompressedModelBytes } from '../src/api.js';
import { BNAdaptationInitArgs, NNCFConfig, QuantizationRangeInitArgs } from '../src/config/index.js';
import { gatherRows, loadData, type Dataset } from '../src/data/index.js';
import { initBackend } from '../src/engine/index.js';
import { loadOnnxModel } from '../src/frontends/onnx/index.js';
import { benchmark, summarize, type BenchmarkResult } from '../src/runtime/index.js';
import { digitsCnn, digitsData } from '../test/quantization/digits-cnn.js';

const FASHION = 'examples/fashion-mnist';
const BATCH = 32;

async function setup(): Promise<{ name: string; model: string; data: Dataset; config: () => NNCFConfig }> {
  if (existsSync(`${FASHION}/model.onnx`) && existsSync(`${FASHION}/images.npy`)) {
    const data = await loadData(`${FASHION}/images.npy`, { sampleShape: [1, 28, 28] });
    // int8.json as written, plus QDQ export so onnxruntime-node can run the result
    const base = parseJsonc(readFileSync(`${FASHION}/int8.json`, 'utf8')) as { compression: object };
    const config = () => NNCFConfig.fromObject({ ...base, compression: { ...base.compression, export_to_onnx_standard_ops: true } });
    return { name: 'Fashion-MNIST CNN', model: `${FASHION}/model.onnx`, data, config };
  }
  const model = await digitsCnn();
  const { train } = await digitsData();
  const config = () => NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true } });
  return { name: 'digits CNN (sklearn digits, 1400 calibration samples)', model, data: train, config };
}

async function session(model: Uint8Array | string): Promise<ort.InferenceSession> {
  const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, graphOptimizationLevel: 'all' };
  return typeof model === 'string' ? ort.InferenceSession.create(model, opts) : ort.InferenceSession.create(model, opts);
}

function feed(s: ort.InferenceSession, data: Dataset, n: number, start = 0): Record<string, ort.Tensor> {
  const idx = Int32Array.from({ length: n }, (_, i) => (start + i) % data.length);
  const x = gatherRows(data.x, idx);
  return { [s.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(x.data as Float32Array), x.shape) };
}

/** Plain FP32 inference over the whole calibration set in batches of BATCH. */
async function fp32Pass(s: ort.InferenceSession, data: Dataset): Promise<void> {
  for (let start = 0; start < data.length; start += BATCH) await s.run(feed(s, data, Math.min(BATCH, data.length - start), start));
}

const fmt = (r: BenchmarkResult) => `min ${r.min.toFixed(3)} ms, median ${r.median.toFixed(3)} ms`;
const ratio = (a: BenchmarkResult, b: BenchmarkResult) => `${(a.min / b.min).toFixed(2)}× / ${(a.median / b.median).toFixed(2)}×`;

async function main(): Promise<void> {
  await initBackend('wasm');
  const { name, model, data, config } = await setup();
  console.log(`model: ${name} (${model})`);
  let int8: Uint8Array | null = null;
  const ptqTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c = config();
    const loader = { dataset: data, batchSize: BATCH };
    c.registerExtraStructs([new QuantizationRangeInitArgs(loader), new BNAdaptationInitArgs(loader)]);
    const t0 = performance.now();
    const r = await createCompressedModel(await loadOnnxModel(model), c);
    int8 = exportCompressedModelBytes(r);
    ptqTimes.push(performance.now() - t0);
    r.controller.dispose();
    r.model.engine.dispose();
  }
  const fp = await session(model);
  const q = await session(int8!);
  const fpPass = await benchmark(() => fp32Pass(fp, data), { warmup: 1, repeats: 5 });
  const ptq = summarize(ptqTimes);
  console.log('\nlatency on onnxruntime-node (1 thread)     FP32                               INT8                               FP32/INT8 (min / median)');
  for (const b of [1, 64]) {
    const repeats = b === 1 ? 300 : 30;
    const f = await benchmark(() => fp.run(feed(fp, data, b)), { warmup: 10, repeats });
    const i8 = await benchmark(() => q.run(feed(q, data, b)), { warmup: 10, repeats });
    console.log(`  batch ${String(b).padEnd(3)}                                 ${fmt(f).padEnd(35)}${fmt(i8).padEnd(35)}${ratio(f, i8)}`);
  }
  console.log(`\nPTQ over ${data.length} calibration samples (range init + BN adaptation + export): ${fmt(ptq)}`);
  console.log(`plain FP32 inference over the same ${data.length} samples (ORT, batch ${BATCH}):          ${fmt(fpPass)}`);
  console.log(`PTQ / FP32 inference (min / median): ${ratio(ptq, fpPass)}`);
  await Promise.all([fp.release(), q.release()]);
}

await main();
