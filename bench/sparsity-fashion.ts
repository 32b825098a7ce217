/**
 * npm run bench:sparsity -- [--samples N] [--epochs N] [--only magnitude,rb,magnitude-int8] [--engine ort|tfjs] [--threads N]
 *   [--lr X] [--rb-epochs N] [--rb-lr X] [--rb-init L] [--rb-target-epoch N] [--rb-freeze-epoch N]
 *   [--rb-optimizer adam|sgd] [--rb-multiplier K] [--rb-mask-lr X] [--rb-schedule S] [--rb-per-step]
 *   [--rb-config FILE] [--json]
 *
 * Sparsity acceptance on the Fashion-MNIST reference CNN (issue 13): each variant is built with
 * createCompressedModel and fine-tuned by the Trainer (the code `nncf-ts train` runs) on `--samples` train
 * images for `--epochs` epoch(s), exported, and run on onnxruntime-node over the full 10k test set:
 *  - magnitude: magnitude_sparsity at 50 % from the start (sparsity_init 0.5, target epoch 0), Adam 1e-4;
 *  - rb: rb_sparsity to 50 % as NNCF's RB sample configs run it (Adam `--rb-lr` 1e-3 for weights and
 *    mask logits, exponential schedule from `--rb-init` to 50 % at `--rb-target-epoch`, the RB loss frozen
 *    at `--rb-freeze-epoch`) for `--rb-epochs` epochs; each epoch's level and ORT top-1 are printed;
 *    `--rb-optimizer sgd` trains with SGD momentum 0.9 Nesterov (cosine) instead, and `--rb-multiplier K`
 *    writes `compression_lr_multiplier: K` in the rb_sparsity section (NNCF scales the mask logits'
 *    gradient by K: under SGD their step is K times larger, under Adam it barely changes);
 *    `--rb-mask-lr X` trains the mask logits at their own LR through `optimizer.parameter_groups` (NNCF's
 *    sample scripts: `{"re": ".*\\._mask", "lr": X}` then the rest at `--rb-lr`), `--rb-schedule` picks the
 *    sparsity schedule (exponential, NNCF's RB default; polynomial; multistep) and `--rb-per-step` updates a
 *    polynomial one per optimizer step (steps_per_epoch from the data); `--rb-config FILE` takes the whole
 *    recipe (compression section, optimizer, epochs, batch size) from an NNCF config file instead;
 *  - magnitude-int8: magnitude 50 % + INT8 quantization (examples' int8.json section, QDQ export).
 * Prints per variant: top-1 (ORT) and its drop vs FP32, the model's sparsity level, file sizes (FP32,
 * exported dense, exported with sparse_initializer) and their gzip sizes, wall time, and the bars.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { parse as parseJsonc } from 'jsonc-parser';
import { createCompressedModel, exportCompressedModelBytes } from '../src/api.js';
import { NNCFConfig } from '../src/config/index.js';
import { loadData, parsePreprocessSpec, type NdArray } from '../src/data/index.js';
import { initBackend } from '../src/engine/index.js';
import { parseOnnx } from '../src/frontends/onnx/index.js';
import { taskLoss, Trainer, trainingSettings } from '../src/training/index.js';
import { evaluateOrt } from './reference/evaluate.js';
import type { BenchRow } from './suite/types.js';

const { values: a } = parseArgs({
  options: {
    samples: { type: 'string', default: '60000' },
    epochs: { type: 'string', default: '1' },
    only: { type: 'string', default: 'magnitude,rb,magnitude-int8' },
    seed: { type: 'string', default: '1' },
    engine: { type: 'string', default: 'ort' },
    threads: { type: 'string' },
    lr: { type: 'string', default: '1e-4' },
    'rb-epochs': { type: 'string', default: '6' },
    'rb-lr': { type: 'string', default: '1e-3' },
    'rb-init': { type: 'string', default: '0.5' },
    'rb-target-epoch': { type: 'string', default: '0' },
    'rb-freeze-epoch': { type: 'string' },
    'rb-optimizer': { type: 'string', default: 'adam' },
    'rb-multiplier': { type: 'string' },
    'rb-mask-lr': { type: 'string' },
    'rb-schedule': { type: 'string' },
    'rb-per-step': { type: 'boolean', default: false },
    'rb-config': { type: 'string' },
    // magnitude-ptq-int8 only: wait until another run writes a newer magnitude export (data loaded meanwhile)
    'wait-for-magnitude': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const DIR = 'examples/fashion-mnist';
const DATA = '.cache/data/fashion-mnist';
const OUT = '.cache/bench';
const seed = Number(a.seed);
const epochs = Number(a.epochs);
if (a.engine !== 'ort' && a.engine !== 'tfjs') throw new Error(`--engine must be ort or tfjs, got ${a.engine}`);
const engine = a.engine;
const lr = Number(a.lr);
const t0 = performance.now();
const log = (m: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);

await initBackend('wasm');
const pre = parsePreprocessSpec('channel=first,scale=1/255,mean=0.286,std=0.353');
const train = await loadData(DATA, { split: 'train', preprocess: pre, sampleShape: [1, 28, 28] });
const test = await loadData(DATA, { split: 't10k', preprocess: pre, sampleShape: [1, 28, 28] });
const initData = train.stratifiedSample(1000, seed);
const fineTune = train.shuffled(seed + 1).take(Number(a.samples));
const fp32Bytes = new Uint8Array(readFileSync(`${DIR}/model.onnx`));
const int8Section = (parseJsonc(readFileSync(`${DIR}/int8.json`, 'utf8')) as { compression: Record<string, unknown> }).compression;
const gz = (b: Uint8Array) => gzipSync(b, { level: 9 }).length;
const fp32Top1 = (await evaluateOrt(fp32Bytes, test.x as NdArray<'float32'>, test.y!)).top1;
log(`FP32 top-1 on ORT ${(100 * fp32Top1).toFixed(2)}%, ${fp32Bytes.length} bytes, gzip ${gz(fp32Bytes)}`);

const magnitude = { algorithm: 'magnitude_sparsity', sparsity_init: 0.5, params: { sparsity_target: 0.5, sparsity_target_epoch: 0 } };
const rbParams: Record<string, unknown> = { sparsity_target: 0.5, sparsity_target_epoch: Number(a['rb-target-epoch']) };
if (a['rb-freeze-epoch'] !== undefined) rbParams.sparsity_freeze_epoch = Number(a['rb-freeze-epoch']);
if (a['rb-schedule'] !== undefined) rbParams.schedule = a['rb-schedule'];
if (a['rb-per-step']) Object.assign(rbParams, { update_per_optimizer_step: true, steps_per_epoch: Math.ceil(Number(a.samples) / 64) });
const rb: Record<string, unknown> = { algorithm: 'rb_sparsity', sparsity_init: Number(a['rb-init']), params: rbParams };
if (a['rb-multiplier'] !== undefined) rb.compression_lr_multiplier = Number(a['rb-multiplier']);
const adam = (baseLr: number) => ({ type: 'adam', base_lr: baseLr, weight_decay: 0, schedule_type: 'cosine' });
// NNCF's SGD (its pruning/quantization sample configs): momentum 0.9 Nesterov; weight decay 0 as NNCF's default for RB
const sgd = (baseLr: number) => ({ type: 'sgd', base_lr: baseLr, weight_decay: 0, schedule_type: 'cosine', optimizer_params: { momentum: 0.9, nesterov: true } });
if (a['rb-optimizer'] !== 'adam' && a['rb-optimizer'] !== 'sgd') throw new Error(`--rb-optimizer must be adam or sgd, got ${a['rb-optimizer']}`);
const rbOptimizer: Record<string, unknown> = (a['rb-optimizer'] === 'sgd' ? sgd : adam)(Number(a['rb-lr']));
// the sample scripts' parameter groups: the first group whose regex is found in a name wins
if (a['rb-mask-lr'] !== undefined) rbOptimizer.parameter_groups = [{ re: '.*\\._mask', lr: Number(a['rb-mask-lr']), weight_decay: 0 }, { lr: Number(a['rb-lr']), weight_decay: 0 }];
// --rb-config: the recipe as an NNCF config file (compression, optimizer, epochs, batch_size)
const rbRecipe = a['rb-config'] === undefined ? undefined : (parseJsonc(readFileSync(a['rb-config'], 'utf8')) as { compression: object; optimizer: object; epochs: number; batch_size?: number });
// a per-step schedule's steps_per_epoch must equal the epoch's optimizer steps (NNCF raises otherwise): follow --samples
for (const sec of rbRecipe ? [rbRecipe.compression].flat() : []) {
  const params = (sec as { params?: Record<string, unknown> }).params;
  if (params?.update_per_optimizer_step === true && params.steps_per_epoch !== undefined) params.steps_per_epoch = Math.ceil(Number(a.samples) / (rbRecipe!.batch_size ?? 64));
}
const VARIANTS: Record<string, { compression: object[]; optimizer: object; bar: number; epochs: number; batchSize?: number }> = {
  magnitude: { compression: [magnitude], optimizer: adam(lr), bar: 0.5, epochs },
  // RB masks move only through their logits (from logit(0.99) ≈ 4.6). Adam moves each by ≈ lr per step
  // whatever the gradient's scale (so compression_lr_multiplier, a gradient scale in NNCF, cannot speed it
  // up): at NNCF's 1e-3 crossing zero takes ≈ 4,600 steps, about 5 epochs of 938 steps. Under SGD the
  // multiplier scales the logits' step (--rb-optimizer sgd --rb-multiplier K).
  rb: rbRecipe
    ? { compression: [rbRecipe.compression].flat(), optimizer: rbRecipe.optimizer, bar: 0.5, epochs: rbRecipe.epochs, batchSize: rbRecipe.batch_size }
    : { compression: [rb], optimizer: rbOptimizer, bar: 0.5, epochs: Number(a['rb-epochs']) },
  'magnitude-int8': { compression: [magnitude, { ...int8Section, export_to_onnx_standard_ops: true }], optimizer: adam(lr), bar: 0.7, epochs },
};

const rows: BenchRow[] = [{ metric: 'FP32 top-1 (ORT, 10k test images)', value: 100 * fp32Top1, unit: '%' }];
const results: Record<string, unknown> = {};
const bars: Record<string, boolean> = {};
for (const name of a.only!.split(',')) {
  if (name === 'magnitude-ptq-int8') {
    await sparseThenPtq();
    continue;
  }
  const v = VARIANTS[name];
  if (!v) throw new Error(`unknown variant ${name} (${Object.keys(VARIANTS).join(', ')})`);
  const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 28, 28] }, compression: v.compression, batch_size: v.batchSize ?? 64, epochs: v.epochs, seed, optimizer: v.optimizer });
  const created = await createCompressedModel(parseOnnx(fp32Bytes), config, { initDataset: initData });
  const settings = trainingSettings(config);
  const batches = fineTune.numBatches(settings.batchSize);
  const levelOf = () => {
    const st = created.controller.statistics().toDict();
    return Number(st['magnitude_sparsity/sparsity_level_for_layers'] ?? st['rb_sparsity/sparsity_level_for_layers']);
  };
  // RB: where the mask logits are (they start at logit(0.99) ≈ 4.6; a weight is zero once its logit < 0)
  const logitSummary = () => {
    let sum = 0;
    let n = 0;
    let below = 0;
    let near1 = 0;
    let near3 = 0;
    let min = Infinity;
    for (const v of created.controller.compressionVariables()) {
      const d = v.dataSync() as Float32Array;
      for (const x of d) {
        sum += x;
        n++;
        if (x < 0) below++;
        if (Math.abs(x) < 1) near1++;
        if (Math.abs(x) < 3) near3++;
        if (x < min) min = x;
      }
    }
    // |m| < 1: the training noise flips the mask with probability > 27 %; |m| < 3: > 5 %
    return `; mask logits mean ${(sum / n).toFixed(4)}, min ${min.toFixed(3)}, ${(100 * below / n).toFixed(2)} % < 0, |m|<1 ${(100 * near1 / n).toFixed(1)} %, |m|<3 ${(100 * near3 / n).toFixed(1)} %`;
  };
  const perEpoch: { epoch: number; layersLevel: number; top1: number; seconds: number }[] = [];
  const trainer = new Trainer({
    model: created.model, controller: created.controller, train: fineTune, settings, config, engine,
    threads: a.threads === undefined ? undefined : Number(a.threads),
    loss: taskLoss('cross_entropy', 'logits'),
    onBatchEnd: (e) => {
      if (e.batch % 100 === 0 || e.batch + 1 === batches) log(`${name}: epoch ${e.epoch} batch ${e.batch + 1}/${batches} loss ${e.loss.toFixed(4)}${name === 'rb' ? logitSummary() : ''}`);
    },
    onEpochEnd: (rec) => {
      if (v.epochs < 2) return;
      // the level and ORT top-1 after each epoch (how many epochs RB needs)
      const bytes = exportCompressedModelBytes(created);
      const lv = levelOf();
      pending.push(evaluateOrt(bytes, test.x as NdArray<'float32'>, test.y!).then((e) => {
        perEpoch.push({ epoch: rec.epoch + 1, layersLevel: lv, top1: e.top1, seconds: (performance.now() - tTrain) / 1000 });
        log(`${name}: after epoch ${rec.epoch + 1}: sparsified layers ${(100 * lv).toFixed(1)} % zeros, ORT top-1 ${(100 * e.top1).toFixed(2)}% (drop ${(100 * (fp32Top1 - e.top1)).toFixed(2)} pt)`);
      }));
    },
  });
  const pending: Promise<void>[] = [];
  const tTrain = performance.now();
  await trainer.fit();
  await Promise.all(pending);
  const seconds = (performance.now() - tTrain) / 1000;
  const stats = created.controller.statistics().toDict();
  const level = Number(stats['magnitude_sparsity/sparsity_level'] ?? stats['rb_sparsity/sparsity_level']);
  const layersLevel = Number(stats['magnitude_sparsity/sparsity_level_for_layers'] ?? stats['rb_sparsity/sparsity_level_for_layers']);
  const dense = exportCompressedModelBytes(created);
  const sparse = exportCompressedModelBytes(created, { sparseInitializers: true });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}/fashion-${name}.onnx`, dense);
  const top = (await evaluateOrt(dense, test.x as NdArray<'float32'>, test.y!)).top1;
  const topSparse = (await evaluateOrt(sparse, test.x as NdArray<'float32'>, test.y!)).top1;
  const drop = 100 * (fp32Top1 - top);
  const r = { engine: trainer.engine, epochs: v.epochs, optimizer: v.optimizer, perEpoch, top1: top, topSparse, drop, level, layersLevel, seconds, bytes: dense.length, gzip: gz(dense), sparseBytes: sparse.length, sparseGzip: gz(sparse) };
  results[name] = r;
  log(`${name}: ${JSON.stringify(r)}`);
  bars[`${name}: top-1 drop ≤ ${v.bar} pt`] = drop <= v.bar;
  bars[`${name}: sparsified layers ≥ 45 % zeros`] = layersLevel >= 0.45;
  bars[`${name}: sparse_initializer export = dense export on ORT`] = topSparse === top;
  if (name === 'magnitude') bars['magnitude: gzip ≤ 0.6× FP32 gzip'] = r.gzip <= 0.6 * gz(fp32Bytes);
  rows.push(
    { metric: `${name}: top-1 (ORT)`, value: 100 * top, unit: '%', note: `drop ${drop.toFixed(2)} pt (bar ≤ ${v.bar}); ${fineTune.length} images × ${v.epochs} epoch(s), ${trainer.engine}` },
    { metric: `${name}: sparsity level (model / sparsified layers)`, value: 100 * level, unit: '%', note: `layers ${(100 * layersLevel).toFixed(1)} %` },
    { metric: `${name}: exported size / FP32`, value: dense.length / fp32Bytes.length, unit: '×', note: `${dense.length} B (FP32 ${fp32Bytes.length} B); sparse_initializer ${sparse.length} B` },
    { metric: `${name}: gzip size / FP32 gzip`, value: r.gzip / gz(fp32Bytes), unit: '×', note: `${r.gzip} B vs ${gz(fp32Bytes)} B; sparse_initializer gzip ${r.sparseGzip} B` },
    { metric: `${name}: fine-tuning wall time`, value: seconds, unit: 's' },
  );
  created.controller.dispose();
}
/**
 * 50 % sparsity + INT8 as two steps: the fine-tuned magnitude export (this run's, or the file of an
 * earlier run) quantized by PTQ with the example's int8.json (range init and BN adaptation on 1,000
 * training images). Symmetric weight grids keep every zero a zero, so the sparsity survives.
 */
async function sparseThenPtq(): Promise<void> {
  const started = Date.now();
  while (a['wait-for-magnitude'] && statSync(`${OUT}/fashion-magnitude.onnx`).mtimeMs < started) await new Promise((r) => setTimeout(r, 10_000));
  if (a['wait-for-magnitude']) await new Promise((r) => setTimeout(r, 5_000)); // the other run writes with writeFileSync: let it finish
  const sparseBytes = new Uint8Array(readFileSync(`${OUT}/fashion-magnitude.onnx`));
  const int8 = parseJsonc(readFileSync(`${DIR}/int8.json`, 'utf8')) as Record<string, unknown>;
  const q = await createCompressedModel(parseOnnx(sparseBytes), NNCFConfig.fromObject(int8), { initDataset: initData });
  const bytes = exportCompressedModelBytes(q);
  q.controller.dispose();
  writeFileSync(`${OUT}/fashion-magnitude-ptq-int8.onnx`, bytes);
  const top = (await evaluateOrt(bytes, test.x as NdArray<'float32'>, test.y!)).top1;
  const sparseTop = (await evaluateOrt(sparseBytes, test.x as NdArray<'float32'>, test.y!)).top1;
  // zeros among the int8 weights of the QDQ export (the DequantizeLinear inputs stored as int8)
  let zeros = 0;
  let n = 0;
  for (const t of parseOnnx(bytes).initializers.values())
    if (t.dtype === 'int8' && t.values.length > 64) for (const x of t.values as Int8Array) { n++; if (x === 0) zeros++; }
  const drop = 100 * (fp32Top1 - top);
  results['magnitude-ptq-int8'] = { top1: top, sparseTop1: sparseTop, drop, int8WeightZeros: zeros / n, bytes: bytes.length, gzip: gz(bytes) };
  log(`magnitude-ptq-int8: ${JSON.stringify(results['magnitude-ptq-int8'])}`);
  bars['magnitude 50 %, then PTQ INT8 QDQ: top-1 drop ≤ 0.7 pt'] = drop <= 0.7;
  rows.push(
    { metric: 'magnitude 50 % then PTQ INT8 QDQ: top-1 (ORT)', value: 100 * top, unit: '%', note: `drop ${drop.toFixed(2)} pt (bar ≤ 0.7); sparse FP32 model ${(100 * sparseTop).toFixed(2)} %` },
    { metric: 'magnitude 50 % then PTQ INT8 QDQ: zeros among int8 weights', value: (100 * zeros) / n, unit: '%', note: `${bytes.length} B, gzip ${gz(bytes)} B` },
  );
}

console.log(`Fashion-MNIST reference CNN, 10k test images, onnxruntime-node; FP32 ${(100 * fp32Top1).toFixed(2)}%`);
for (const [k, ok] of Object.entries(bars)) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${k}`);
if (a.json) console.log(JSON.stringify({ part: 'sparsity', rows, results, bars, fp32Top1, fp32Bytes: fp32Bytes.length, fp32Gzip: gz(fp32Bytes) }));
