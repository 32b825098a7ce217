/**
 * `npm run bench:ort-qat`: the cost of the FakeQuantize nodes on ONNX Runtime. The Fashion-MNIST
 * reference CNN (batch 64) quantized with its bundled INT8 config; its commands spliced as nodes
 * (spliceCompressionNodes) and compiled; one ORT training step of the FP32 graph and one of the QAT
 * graph, interleaved step by step in one run (same machine load), with the parameter feeds refreshed
 * before each QAT step as a trainer does. Options: --steps N (20), --warmup N (3), --batch N (64),
 * --threads N (ORT intra-op threads, 1).
 */
import { createCompressedModel, loadData, NNCFConfig } from '../src/index.js';
import { compileTrainingGraph, OrtTrainerStep } from '../src/autodiff/index.js';
import { refreshNodeInputs, spliceCompressionNodes } from '../src/compression/index.js';
import { Random } from '../src/data/index.js';
import { initBackend } from '../src/engine/index.js';
import { loadOnnxModel } from '../src/frontends/onnx/index.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const steps = Number(arg('steps', '20'));
const warmup = Number(arg('warmup', '3'));
const batch = Number(arg('batch', '64'));
const threads = Number(arg('threads', '1'));
const DIR = 'examples/fashion-mnist';

await initBackend('wasm');
const rng = new Random(1);
const shape = [batch, 1, 28, 28];
const x = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rng.normal());
const labels = Int32Array.from({ length: batch }, () => rng.int(10));

const fp32 = await OrtTrainerStep.create(compileTrainingGraph(await loadOnnxModel(`${DIR}/model.onnx`)), { threads });
const config = NNCFConfig.fromFile(`${DIR}/int8.json`);
const init = await loadData(`${DIR}/images.npy`);
const q = await createCompressedModel(await loadOnnxModel(`${DIR}/model.onnx`), config, { initDataset: init });
q.model.engine.syncToGraph();
const spliced = spliceCompressionNodes(q.model.graph, q.model.commands());
const compiled = compileTrainingGraph(spliced.graph, spliced.compileOptions);
const qat = await OrtTrainerStep.create(compiled, { threads });
const fq = spliced.nodes.filter((n) => n.opType === 'FakeQuantize').length;

const times = { fp32: [] as number[], qat: [] as number[], refresh: [] as number[] };
for (let i = 0; i < warmup + steps; i++) {
  let t0 = performance.now();
  await fp32.step({ data: x, shape }, labels);
  const tf32 = performance.now() - t0;
  t0 = performance.now();
  refreshNodeInputs(spliced.feeds, qat);
  const tRefresh = performance.now() - t0;
  await qat.step({ data: x, shape }, labels);
  const tQat = performance.now() - t0;
  if (i >= warmup) {
    times.fp32.push(tf32);
    times.qat.push(tQat);
    times.refresh.push(tRefresh);
  }
}

const median = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const m = { fp32: median(times.fp32), qat: median(times.qat), refresh: median(times.refresh) };
console.log(`Fashion-MNIST CNN, ORT training step, batch ${batch}, ${threads} thread(s), ${steps} interleaved steps after ${warmup} warm-up`);
console.log(`QAT training graph: ${compiled.graph.nodes.length} nodes; ${fq} FakeQuantize nodes, ${spliced.feeds.size} fed/trained inputs`);
console.log(`FP32 step median ${m.fp32.toFixed(1)} ms; QAT step median ${m.qat.toFixed(1)} ms (of which feed refresh ${m.refresh.toFixed(2)} ms)`);
console.log(`QAT / FP32 step time: ${(m.qat / m.fp32).toFixed(2)}×`);
await fp32.release();
await qat.release();
