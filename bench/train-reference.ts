/**
 * Trains the Fashion-MNIST reference CNN (bench/reference/fashion-cnn.ts) on the full 60k training set
 * with our engine (tfjs wasm + src/engine/kernels), seeded; exports FP32 ONNX; evaluates the full 10k
 * test set on the engine and on onnxruntime-node; writes the stratified 1,000-image test sample.
 *
 *   npm run train:reference -- [--epochs 4] [--batch 128] [--lr 0.1] [--seed 1] [--widths 16,32,144] [--flip]
 *                              [--out-dir examples/fashion-mnist]
 *   npm run train:reference -- --measure 20      # img/s over 20 training steps, then exit
 *   npm run train:reference -- --epochs 1 --train-limit 1280 --out-dir /tmp/fm   # smoke test
 *
 * Outputs in --out-dir: model.onnx, images.npy, labels.npy, training.json (settings, per-epoch log, accuracy).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, initBackend } from '../src/engine/index.js';
import { saveOnnx } from '../src/exporters/onnx/index.js';
import type { NdArray } from '../src/data/index.js';
import { agreement, evaluateEngine, evaluateOrt } from './reference/evaluate.js';
import { buildFashionCnn, countParameters } from './reference/fashion-cnn.js';
import { FASHION_PREPROCESS_SPEC, loadFashion, loadFashionRaw } from './reference/fashion-data.js';
import { writeStratifiedSample } from './reference/sample.js';
import { train, type EpochInfo, type TrainOptions } from './reference/train-loop.js';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '4' },
    batch: { type: 'string', default: '128' },
    lr: { type: 'string', default: '0.1' },
    'weight-decay': { type: 'string', default: '5e-4' },
    warmup: { type: 'string', default: '0.3' },
    seed: { type: 'string', default: '1' },
    widths: { type: 'string', default: '16,32,144' },
    // random left-right mirroring of training images (off for the reference model: it underfits in 4 epochs)
    flip: { type: 'boolean', default: false },
    measure: { type: 'string' },
    'out-dir': { type: 'string', default: 'examples/fashion-mnist' },
    'sample-size': { type: 'string', default: '1000' },
    'train-limit': { type: 'string' },
  },
});

const num = (name: keyof typeof args): number => {
  const v = Number(args[name]);
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number, got ${String(args[name])}`);
  return v;
};

const seed = num('seed');
const widths = String(args.widths).split(',').map(Number) as [number, number, number];
const measureSteps = args.measure !== undefined ? num('measure') : undefined;
const options: TrainOptions = {
  epochs: num('epochs'),
  batchSize: num('batch'),
  peakLr: num('lr'),
  momentum: 0.9,
  weightDecay: num('weight-decay'),
  warmupEpochs: num('warmup'),
  seed,
  flip: args.flip === true,
  maxSteps: measureSteps,
};

const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

const backend = await initBackend('wasm');
const fullTrain = await loadFashion('train');
// --train-limit N: a stratified N-image subset, for smoke tests of the whole pipeline
const trainSet = args['train-limit'] !== undefined ? fullTrain.stratifiedSample(num('train-limit'), seed) : fullTrain;
const testSet = await loadFashion('t10k');
const graph = buildFashionCnn({ seed, widths });
const params = countParameters(graph);
log(`backend ${backend}; model ${params} parameters (${(params * 4 / 1024).toFixed(1)} KiB FP32); train ${trainSet.length}, test ${testSet.length}`);
log(`settings ${JSON.stringify({ ...options, widths })}`);

const engine = new Engine(graph, { seed });
const epochs: EpochInfo[] = [];
let lastPrint = 0;
const run = train(engine, trainSet, {
  ...options,
  onStep: (s) => {
    const now = performance.now();
    if (measureSteps !== undefined || now - lastPrint > 30_000 || s.step % s.stepsPerEpoch === 0) {
      lastPrint = now;
      log(`epoch ${s.epoch + 1} step ${s.step} loss ${s.loss.toFixed(4)} lr ${s.lr.toFixed(4)} ${s.imagesPerSecond.toFixed(0)} img/s`);
    }
  },
  onEpoch: (e) => {
    epochs.push(e);
    log(`epoch ${e.epoch + 1}: mean loss ${e.meanLoss.toFixed(4)}, train top-1 ${(100 * e.trainTop1).toFixed(2)}% (${e.seconds.toFixed(0)} s)`);
  },
});
const imagesPerSecond = run.images / run.seconds;
log(`trained ${run.steps} steps, ${run.images} images in ${run.seconds.toFixed(0)} s: ${imagesPerSecond.toFixed(1)} img/s`);
if (measureSteps !== undefined) process.exit(0);

const testX = testSet.x as NdArray<'float32'>;
const onEngine = evaluateEngine(engine, testX, testSet.y!);
log(`engine top-1 on the ${testSet.length} test images: ${(100 * onEngine.top1).toFixed(2)}% (${onEngine.seconds.toFixed(1)} s)`);

const outDir = resolve(String(args['out-dir']));
mkdirSync(outDir, { recursive: true });
engine.syncToGraph();
const modelPath = join(outDir, 'model.onnx');
saveOnnx(graph, modelPath);
const onOrt = await evaluateOrt(modelPath, testX, testSet.y!);
const agree = agreement(onEngine.predictions, onOrt.predictions);
log(`onnxruntime top-1: ${(100 * onOrt.top1).toFixed(2)}% (${onOrt.seconds.toFixed(1)} s); engine/ORT prediction agreement ${(100 * agree).toFixed(2)}%`);

const sampleSize = num('sample-size');
const sample = await writeStratifiedSample(await loadFashionRaw('t10k'), sampleSize, seed, outDir);
log(`wrote ${modelPath}, images.npy/labels.npy (${sample.length} stratified test images)`);

const record = {
  command: `npm run train:reference -- ${process.argv.slice(2).join(' ')}`.trim(),
  model: { widths, parameters: params, fp32Bytes: params * 4 },
  preprocess: FASHION_PREPROCESS_SPEC,
  training: { ...options, maxSteps: undefined, steps: run.steps, seconds: Math.round(run.seconds), imagesPerSecond: Math.round(imagesPerSecond), epochLog: epochs },
  test: { samples: testSet.length, engineTop1: onEngine.top1, ortTop1: onOrt.top1, engineOrtAgreement: agree },
  sample: { size: sample.length, seed, perClass: Object.fromEntries(sample.classCounts()) },
  machine: { node: process.version, platform: `${process.platform}-${process.arch}`, backend },
};
writeFileSync(join(outDir, 'training.json'), JSON.stringify(record, null, 2) + '\n');
engine.dispose();
