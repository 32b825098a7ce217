/**
 * npm run bench:qat -- [--samples N] [--epochs N] [--lr X] [--batch N] [--probe N] [--engine ort|tfjs|both] [--threads N] [--json]
 * Defaults: 30,000 train images × 3 epochs, batch 64, Adam 1e-4 (cosine, NNCF's epoch-wise stepping),
 * ≈ 6–7 min of training on the 2-core box (wasm, one core), ≈ 11 min when another run shares it.
 *
 * QAT acceptance on the Fashion-MNIST reference CNN (issue 6): the quantization section of
 * examples/fashion-mnist/int8.json (+ export_to_onnx_standard_ops) is applied with createCompressedModel
 * (range init + BN adaptation on a stratified 1,000-image sample of the train split) → PTQ INT8; then the
 * same compressed model is fine-tuned by the Trainer on `--samples` train images for `--epochs` epochs
 * (Adam, `--lr`, cosine to 0) → QAT INT8; exported as QDQ and run on onnxruntime-node.
 * Prints top-1 on the full 10k test set: FP32 (engine and ORT), PTQ INT8 (engine, simulated),
 * QAT INT8 (engine, simulated) and the exported QAT QDQ model (ORT), and the bars.
 * `--probe N`: only time N training steps (ms/step) and exit, to size a run.
 * `--engine`: the trainer's engine (ORT training graph or the tfjs engine); `both` (default) fine-tunes
 * the same PTQ model once per engine, one after the other in this run, and prints the wall-time ratio.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { parse as parseJsonc } from 'jsonc-parser';
import { createCompressedModel, exportCompressedModelBytes, type CreateResult } from '../src/api.js';
import { NNCFConfig } from '../src/config/index.js';
import { loadData, parsePreprocessSpec, type Dataset, type NdArray } from '../src/data/index.js';
import { Engine, initBackend } from '../src/engine/index.js';
import { OrtSession } from '../src/runtime/index.js';
import { parseOnnx } from '../src/frontends/onnx/index.js';
import { correctCount, taskLoss, Trainer, trainingSettings } from '../src/training/index.js';
import { evaluateOrt, top1 } from './reference/evaluate.js';

const { values: a } = parseArgs({
  options: {
    samples: { type: 'string', default: '30000' },
    epochs: { type: 'string', default: '3' },
    lr: { type: 'string', default: '1e-4' },
    batch: { type: 'string', default: '64' },
    probe: { type: 'string' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    engine: { type: 'string', default: 'both' },
    threads: { type: 'string' },
  },
});
if (!['ort', 'tfjs', 'both'].includes(a.engine!)) throw new Error(`--engine must be ort, tfjs or both, got ${a.engine}`);
const engines = (a.engine === 'both' ? ['ort', 'tfjs'] : [a.engine]) as ('ort' | 'tfjs')[];
const threads = a.threads === undefined ? undefined : Number(a.threads);
const DIR = 'examples/fashion-mnist';
const DATA = '.cache/data/fashion-mnist';
const OUT = '.cache/bench';
const PREPROCESS = 'channel=first,scale=1/255,mean=0.286,std=0.353';
const seed = Number(a.seed);
const t0 = performance.now();
const log = (m: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);

const backend = await initBackend('wasm');
const pre = parsePreprocessSpec(PREPROCESS);
const train = await loadData(DATA, { split: 'train', preprocess: pre, sampleShape: [1, 28, 28] });
const test = await loadData(DATA, { split: 't10k', preprocess: pre, sampleShape: [1, 28, 28] });
const initData = train.stratifiedSample(1000, seed);
const fineTune = train.shuffled(seed + 1).take(Number(a.samples));
log(`data: train ${train.length}, test ${test.length}, init ${initData.length}, fine-tune ${fineTune.length} (${backend})`);

// int8.json's compression section as is (+ QDQ export), training keys next to it as NNCF's samples carry them
const base = parseJsonc(readFileSync(`${DIR}/int8.json`, 'utf8')) as Record<string, unknown>;
const compression = structuredClone(base.compression) as Record<string, unknown>;
compression.export_to_onnx_standard_ops = true;
const epochs = Number(a.epochs);
const configObject = {
  ...base,
  compression,
  batch_size: Number(a.batch),
  epochs,
  seed,
  optimizer: { type: 'adam', base_lr: Number(a.lr), weight_decay: 0, schedule_type: 'cosine' },
};
const config = NNCFConfig.fromObject(configObject);
const graphBytes = readFileSync(`${DIR}/model.onnx`);
const loadGraph = () => parseOnnx(new Uint8Array(graphBytes));

function engineTop1(run: (x: tf.Tensor) => tf.Tensor, data: Dataset): number {
  const n = data.length;
  const pred = new Int32Array(n);
  const x = data.x as NdArray<'float32'>;
  const per = x.shape.slice(1).reduce((p, d) => p * d, 1);
  for (let s = 0; s < n; s += 500) {
    const m = Math.min(500, n - s);
    const p = tf.tidy(() => tf.argMax(run(tf.tensor((x.data as Float32Array).subarray(s * per, (s + m) * per), [m, ...x.shape.slice(1)])), 1));
    pred.set(p.dataSync() as Int32Array, s);
    p.dispose();
  }
  return top1(pred, data.y!);
}
const modelTop1 = (r: CreateResult) => engineTop1((x) => r.model.run({ input: x }).logits, test);

if (a.probe !== undefined) {
  const r = await createCompressedModel(loadGraph(), config, { initDataset: initData });
  const steps = Number(a.probe);
  const times: number[] = [];
  let last = performance.now();
  const trainer = new Trainer({
    model: r.model, controller: r.controller, train: fineTune.take(steps * Number(a.batch)), settings: trainingSettings(config, { epochs: 1 }), config,
    loss: taskLoss('cross_entropy', 'logits'), engine: engines[0], threads,
    onBatchEnd: () => (times.push(performance.now() - last), (last = performance.now())),
    onEpochStart: () => (last = performance.now()),
  });
  await trainer.fit();
  const sorted = times.slice(2).sort((p, q) => p - q);
  const ms = sorted[sorted.length >> 1];
  console.log(`probe (${trainer.engine}): ${steps} QAT steps at batch ${a.batch}: median ${ms.toFixed(0)} ms/step → ${((1000 * Number(a.batch)) / ms).toFixed(0)} images/s`);
  process.exit(0);
}

// FP32
const fpEngine = new Engine(loadGraph());
const fp32Engine = engineTop1((x) => fpEngine.run({ input: x }).logits, test);
const fp32Ort = (await evaluateOrt(new Uint8Array(graphBytes), test.x as NdArray<'float32'>, test.y!)).top1;
log(`FP32 top-1: engine ${(100 * fp32Engine).toFixed(2)}%, ORT ${(100 * fp32Ort).toFixed(2)}%`);

// PTQ: init only
const ptqModel = await createCompressedModel(loadGraph(), config, { initDataset: initData });
const ptq = modelTop1(ptqModel);
mkdirSync(OUT, { recursive: true });
const ptqBytes = exportCompressedModelBytes(ptqModel);
const ptqOrt = (await evaluateOrt(ptqBytes, test.x as NdArray<'float32'>, test.y!)).top1;
log(`PTQ INT8 top-1: simulated ${(100 * ptq).toFixed(2)}%, QDQ on ORT ${(100 * ptqOrt).toFixed(2)}%`);
ptqModel.controller.dispose();

// QAT: fine-tune a fresh PTQ model (same deterministic init) on each engine
const settings = trainingSettings(config);
const batches = fineTune.numBatches(settings.batchSize);
// trainCpuSeconds: process CPU time of fit() (user + system, every thread): steadier than wall time on a shared machine
const runs: Record<string, { qat: number; qatOrt: number; trainSeconds: number; trainCpuSeconds: number; imgPerS: number; history: string }> = {};
for (const engine of engines) {
  const r = await createCompressedModel(loadGraph(), config, { initDataset: initData });
  const trainer = new Trainer({
    model: r.model, controller: r.controller, train: fineTune, settings, config, engine, threads,
    loss: taskLoss('cross_entropy', 'logits'),
    batchMetric: (o, y) => correctCount(o.logits, y!),
    onBatchEnd: (e) => {
      if (e.batch % 50 === 0 || e.batch + 1 === batches) log(`${engine} epoch ${e.epoch} batch ${e.batch + 1}/${batches} loss ${e.loss.toFixed(4)} lr ${e.lr.toExponential(2)}`);
    },
  });
  const tTrain = performance.now();
  const cpu0 = process.cpuUsage();
  const history = await trainer.fit();
  const cpu = process.cpuUsage(cpu0);
  const trainSeconds = (performance.now() - tTrain) / 1000;
  const trainCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const qat = modelTop1(r);
  const qatBytes = exportCompressedModelBytes(r);
  writeFileSync(`${OUT}/fashion-qat-int8-${engine}.onnx`, qatBytes);
  const session = await OrtSession.create(qatBytes);
  const qatOrt = (await evaluateOrt(session, test.x as NdArray<'float32'>, test.y!)).top1;
  await session.release();
  const imgPerS = trainer.throughput.samples / trainer.throughput.seconds;
  runs[engine] = { qat, qatOrt, trainSeconds, trainCpuSeconds, imgPerS, history: history.map((h) => `loss ${h.loss.toFixed(4)} train-top1 ${(100 * (h.metric ?? 0)).toFixed(2)}%`).join(', ') };
  log(`QAT on ${engine}: ${trainSeconds.toFixed(0)} s wall, ${trainCpuSeconds.toFixed(0)} s CPU (${imgPerS.toFixed(0)} img/s); ${runs[engine].history}; top-1 simulated ${(100 * qat).toFixed(2)}%, QDQ on ORT ${(100 * qatOrt).toFixed(2)}%`);
  r.controller.dispose();
}
const main = runs[engines[0]];
const { qat, qatOrt, trainSeconds } = main;

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const rows: [string, string][] = [
  ['FP32 (engine)', pct(fp32Engine)],
  ['FP32 (onnxruntime-node)', pct(fp32Ort)],
  ['PTQ INT8 (engine, simulated)', pct(ptq)],
  ['PTQ INT8 QDQ (onnxruntime-node)', pct(ptqOrt)],
  ...engines.flatMap((e): [string, string][] => [
    [`QAT INT8 (${e} trainer, simulated)`, pct(runs[e].qat)],
    [`QAT INT8 QDQ (${e} trainer, on ORT)`, pct(runs[e].qatOrt)],
    [`QAT training (${e} trainer)`, `${runs[e].trainSeconds.toFixed(0)} s wall, ${runs[e].trainCpuSeconds.toFixed(0)} s CPU, ${runs[e].imgPerS.toFixed(0)} img/s`],
  ]),
];
const bars = {
  'QAT >= FP32 - 0.3%': qat >= fp32Engine - 0.003,
  'QAT > PTQ': qat > ptq,
  '|exported - simulated| <= 0.2%': Math.abs(qatOrt - qat) <= 0.002,
  ...(runs.ort && runs.tfjs
    ? {
        '|QAT on ORT - QAT on tfjs| <= 0.2%': Math.abs(runs.ort.qat - runs.tfjs.qat) <= 0.002,
        'ORT QAT wall time <= 1/3 of tfjs': runs.ort.trainSeconds <= runs.tfjs.trainSeconds / 3,
      }
    : {}),
};
if (runs.ort && runs.tfjs) {
  console.log(`QAT wall time: ORT ${runs.ort.trainSeconds.toFixed(1)} s, tfjs ${runs.tfjs.trainSeconds.toFixed(1)} s → ${(runs.tfjs.trainSeconds / runs.ort.trainSeconds).toFixed(2)}× faster on ORT`);
  console.log(`QAT CPU time: ORT ${runs.ort.trainCpuSeconds.toFixed(1)} s, tfjs ${runs.tfjs.trainCpuSeconds.toFixed(1)} s → ${(runs.tfjs.trainCpuSeconds / runs.ort.trainCpuSeconds).toFixed(2)}× less on ORT`);
}
console.log(`Fashion-MNIST reference CNN, 10,000 test images, top-1 (${backend}); QAT: ${fineTune.length} train images × ${epochs} epoch(s), batch ${settings.batchSize}, Adam lr ${a.lr} cosine; engines ${engines.join(', ')}`);
for (const [k, v] of rows) console.log(`  ${k.padEnd(34)} ${v}`);
for (const [k, ok] of Object.entries(bars)) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${k}`);
if (a.json) console.log(JSON.stringify({ fp32Engine, fp32Ort, ptq, ptqOrt, qat, qatOrt, trainSeconds, runs, samples: fineTune.length, epochs, lr: Number(a.lr), batch: settings.batchSize, bars }));
