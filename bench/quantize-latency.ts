/**
 * FP32 vs INT8 (QDQ export) latency on onnxruntime-node, batch 1 and 64 — the export-side piece of
 * `npm run bench:quantize` (the full bench adds real PTQ and wall times). Model: the ResNet-style test
 * model (width 64) with hand-made specs from min/max statistics, as in test/onnx/quantized-export-qdq.test.ts.
 * Run: npx tsx bench/quantize-latency.ts
 */
import * as ort from 'onnxruntime-node';
import { parseOnnx } from '../src/frontends/onnx/index.js';
import { exportOnnx, writeQdqQuantizers } from '../src/exporters/onnx/index.js';
import { benchmark } from '../src/runtime/index.js';
import { resnetStyle } from '../test/helpers/models.js';
import { collectStats, feedsFor, makeSpecs } from '../test/onnx/quantized-export-sim.js';

/** Median ms of one run at each batch size, one intra-op thread. */
export async function latency(model: Uint8Array, batches: number[], threads = 1): Promise<number[]> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  const out: number[] = [];
  for (const b of batches) {
    const x = feedsFor('input', [b, 3, 32, 32], 3).input;
    const feeds = { input: new ort.Tensor('float32', x.data, x.dims) };
    out.push((await benchmark(() => session.run(feeds), { warmup: 5, repeats: b === 1 ? 200 : 20 })).median);
  }
  await session.release();
  return out;
}

async function main(): Promise<void> {
  const m = resnetStyle({ width: 64 });
  const specs = makeSpecs(parseOnnx(m.bytes), await collectStats(m.bytes, feedsFor('input', [16, 3, 32, 32], 1)));
  const g = parseOnnx(m.bytes);
  writeQdqQuantizers(g, specs);
  const int8 = exportOnnx(g);
  const batches = [1, 64];
  const [fp, q] = [await latency(m.bytes, batches), await latency(int8, batches)];
  console.log(`model size: FP32 ${m.bytes.length} B, INT8 ${int8.length} B (${(int8.length / m.bytes.length).toFixed(3)}×)`);
  batches.forEach((b, i) => console.log(`batch ${b}: FP32 ${fp[i].toFixed(3)} ms, INT8 ${q[i].toFixed(3)} ms, speed-up ${(fp[i] / q[i]).toFixed(2)}×`));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
