/**
 * npm run bench:pruning -- [--samples N] [--epochs N] [--optimizer adam|sgd] [--lr X] [--batch N] [--target L]
 *   [--engine ort|tfjs] [--threads N] [--from PRUNED.onnx] [--json] [--recipe FILE] [--quick] [--tag NAME]
 * `--recipe FILE`: an NNCF config fragment (optimizer, batch_size, compression list, e.g. filter_pruning +
 * knowledge_distillation) replacing the flags' optimizer and the default section; the issue-14 recipe is
 * bench/pruning-recipes/fashion-0.4-l1-kd.json (the bench suite's pruning part runs it). `--quick`: stop after the per-epoch top-1 (tuning runs).
 * `--tag NAME`: epoch models written as .cache/bench/fashion-pruned-NAME-epochN.onnx.
 * Defaults: the full 60,000 train images per epoch × 3 epochs, batch 64, Adam 1e-4 cosine, trained on ORT
 * (`--optimizer sgd`: momentum 0.9 Nesterov, weight decay 1e-4, as NNCF's pruning sample configs).
 *
 * Filter pruning acceptance on the Fashion-MNIST reference CNN (issue 14): filter_pruning with
 * pruning_target `--target` (baseline schedule, pruned from the start), fine-tuned by the Trainer; after
 * epoch 1 and the last epoch the model is exported physically smaller and its top-1 measured on
 * onnxruntime-node (full 10k test set). Then the pruned model is quantized (INT8 QDQ, examples' int8.json
 * with range init + BN adaptation) — prune, then quantize the smaller model. Prints FLOPs/params ratios
 * as NNCF counts them, the exported parameter ratio and ORT latency of FP32 / pruned / pruned INT8
 * measured side by side (interleaved runs, batch 1 and 64, one thread).
 * Each epoch's smaller model is written to .cache/bench/fashion-pruned-epochN.onnx; `--from` skips the
 * training and evaluates such a file instead (top-1, PTQ INT8, latency; not the one-config INT8 route,
 * which needs the trained controller).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { parse as parseJsonc } from 'jsonc-parser';
import { createCompressedModel, exportCompressedModelBytes } from '../src/api.js';
import type { FilterPruningController } from '../src/algorithms/pruning/index.js';
import { NNCFConfig } from '../src/config/index.js';
import { loadData, parsePreprocessSpec, type NdArray } from '../src/data/index.js';
import { initBackend } from '../src/engine/index.js';
import { parseOnnx } from '../src/frontends/onnx/index.js';
import { writeFileAtomic } from '../src/exporters/onnx/save.js';
import { interleavedLatencies } from '../src/runtime/interleaved.js';
import { taskLoss, Trainer, trainingSettings } from '../src/training/index.js';
import { evaluateOrt } from './reference/evaluate.js';

const { values: a } = parseArgs({
  options: {
    samples: { type: 'string', default: '60000' },
    epochs: { type: 'string', default: '3' },
    optimizer: { type: 'string', default: 'adam' },
    lr: { type: 'string', default: '1e-4' },
    engine: { type: 'string', default: 'ort' },
    threads: { type: 'string' },
    batch: { type: 'string', default: '64' },
    target: { type: 'string', default: '0.4' },
    seed: { type: 'string', default: '1' },
    from: { type: 'string' },
    json: { type: 'boolean', default: false },
    recipe: { type: 'string' },
    quick: { type: 'boolean', default: false },
    tag: { type: 'string', default: '' },
  },
});
const DIR = 'examples/fashion-mnist';
const DATA = '.cache/data/fashion-mnist';
const PREPROCESS = 'channel=first,scale=1/255,mean=0.286,std=0.353';
const seed = Number(a.seed);
if (a.engine !== 'ort' && a.engine !== 'tfjs') throw new Error(`--engine must be ort or tfjs, got ${a.engine}`);
if (a.optimizer !== 'adam' && a.optimizer !== 'sgd') throw new Error(`--optimizer must be adam or sgd, got ${a.optimizer}`);
const optimizer = a.optimizer === 'adam'
  ? { type: 'adam', base_lr: Number(a.lr), weight_decay: 0, schedule_type: 'cosine' }
  : { type: 'sgd', base_lr: Number(a.lr), weight_decay: 1e-4, schedule_type: 'cosine', optimizer_params: { momentum: 0.9, nesterov: true } };
// --recipe FILE: an NNCF config fragment (optimizer, batch_size, compression list with filter_pruning and
// e.g. knowledge_distillation) that replaces the flags' optimizer and the default compression section
const recipe = a.recipe === undefined ? {} : (parseJsonc(readFileSync(a.recipe, 'utf8')) as Record<string, unknown>);
const stem = `.cache/bench/fashion-pruned${a.tag ? `-${a.tag}` : ''}`;
const t0 = performance.now();
const log = (m: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);

const backend = await initBackend('wasm');
const pre = parsePreprocessSpec(PREPROCESS);
const train = await loadData(DATA, { split: 'train', preprocess: pre, sampleShape: [1, 28, 28] });
const test = await loadData(DATA, { split: 't10k', preprocess: pre, sampleShape: [1, 28, 28] });
const fineTune = train.shuffled(seed).take(Number(a.samples));
const initData = train.stratifiedSample(1000, seed);
const tx = test.x as NdArray<'float32'>;
log(`data: train ${train.length}, test ${test.length}, fine-tune ${fineTune.length} per epoch (${backend})`);

const fpBytes = new Uint8Array(readFileSync(`${DIR}/model.onnx`));
const fp32 = (await evaluateOrt(fpBytes, tx, test.y!)).top1;
log(`FP32 top-1 on ORT ${(100 * fp32).toFixed(2)}%`);

const epochs = Number(a.epochs);
const config = NNCFConfig.fromObject({
  input_info: { sample_size: [1, 1, 28, 28] },
  batch_size: Number(a.batch),
  epochs,
  seed,
  optimizer,
  compression: { algorithm: 'filter_pruning', params: { schedule: 'baseline', pruning_target: Number(a.target) } },
  ...recipe,
});
const pruningSection = config.algorithms.find((s) => s.algorithm === 'filter_pruning') as { params: { pruning_target?: number } } | undefined;
if (!pruningSection) throw new Error('the recipe has no filter_pruning section');
const target = pruningSection.params.pruning_target ?? 0.5;
const optLine = JSON.stringify(config.get('optimizer'));
log(`config: ${JSON.stringify({ batch_size: config.get('batch_size'), optimizer: config.get('optimizer'), compression: config.get('compression') })}`);
const r = await createCompressedModel(parseOnnx(fpBytes), config);
const c = (r.controller.name === 'filter_pruning' ? r.controller : (r.controller as unknown as { children: { name: string }[] }).children.find((x) => x.name === 'filter_pruning')) as FilterPruningController;
const exported: Uint8Array[] = [];
const trainer = new Trainer({
  model: r.model, controller: r.controller, train: fineTune, settings: trainingSettings(config), config,
  loss: taskLoss('cross_entropy', 'logits'), engine: a.engine, threads: a.threads === undefined ? undefined : Number(a.threads),
  onEpochStart: (e) => e === 0 && exported.push(exportCompressedModelBytes(r)),
  onEpochEnd: (rec) => {
    exported.push(exportCompressedModelBytes(r));
    // each epoch's smaller model on disk: a run stopped later still leaves it for evaluation
    writeFileAtomic(`${stem}-epoch${rec.epoch + 1}.onnx`, exported[exported.length - 1]);
    log(`epoch ${rec.epoch}: loss ${rec.loss.toFixed(4)}`);
    const bytes = exported[exported.length - 1];
    void evaluateOrt(bytes, tx, test.y!).then((e) => log(`after epoch ${rec.epoch + 1}: pruned ORT top-1 ${(100 * e.top1).toFixed(2)}% (drop ${(100 * (fp32 - e.top1)).toFixed(2)} pt)`));
  },
});
mkdirSync('.cache/bench', { recursive: true });
const load0 = loadavg()[0];
const tTrain = performance.now();
if (a.from === undefined) await trainer.fit();
else exported.push(exportCompressedModelBytes(r), new Uint8Array(readFileSync(a.from)));
const trainSeconds = (performance.now() - tTrain) / 1000;
const fromFile = a.from !== undefined;
// the trained model, written before any evaluation (a long run's result survives a failure after it)
if (!fromFile) writeFileAtomic(`${stem}.onnx`, exported[exported.length - 1]);
const [pruned0, ...perEpoch] = await Promise.all(exported.map(async (b) => (await evaluateOrt(b, tx, test.y!)).top1));
const stats = c.statistics().values as Record<string, number>;
const last = exported[exported.length - 1];
const countParams = (b: Uint8Array) => [...parseOnnx(b).initializers.values()].reduce((s, t) => s + t.values.length, 0);
const paramsRatio = countParams(last) / countParams(fpBytes);
log(`pruned top-1 on ORT: before fine-tuning ${(100 * pruned0).toFixed(2)}%, per epoch ${perEpoch.map((v) => (100 * v).toFixed(2)).join(', ')}%`);
if (a.quick) {
  console.log(`quick ${a.tag} ${optLine} ${fineTune.length}x${epochs}: FP32 ${(100 * fp32).toFixed(2)}, per epoch ${perEpoch.map((v) => (100 * v).toFixed(2)).join(', ')} (drops ${perEpoch.map((v) => (100 * (fp32 - v)).toFixed(2)).join(', ')} pt), ${trainSeconds.toFixed(0)} s, load ${load0.toFixed(1)}→${loadavg()[0].toFixed(1)}`);
  process.exit(0);
}

// prune, then quantize the smaller model (PTQ, int8.json's quantization section)
const int8 = parseJsonc(readFileSync(`${DIR}/int8.json`, 'utf8')) as Record<string, unknown>;
const q = await createCompressedModel(parseOnnx(last), NNCFConfig.fromObject({ ...int8, compression: int8.compression }), { initDataset: initData });
const qBytes = exportCompressedModelBytes(q);
const qTop1 = (await evaluateOrt(qBytes, tx, test.y!)).top1;
log(`pruned + INT8 QDQ top-1 on ORT ${(100 * qTop1).toFixed(2)}%`);

// the same in one config (filter_pruning + quantization): the fine-tuned weights with the pruned filters as
// zeros (keepShape export), pruned again at the same level (zero filters rank last, so the same masks),
// range init + BN adaptation, exported as the smaller model quantized (compression/export-slices)
let combinedTop1 = NaN;
if (!fromFile) {
  c.keepShape = true;
  const maskedFull = exportCompressedModelBytes(r);
  c.keepShape = false;
  const combinedConfig = NNCFConfig.fromObject({
    ...int8,
    compression: [{ algorithm: 'filter_pruning', pruning_init: target, params: { schedule: 'baseline', pruning_target: target } }, int8.compression],
  });
  const combined = await createCompressedModel(parseOnnx(maskedFull), combinedConfig, { initDataset: initData });
  const combinedBytes = exportCompressedModelBytes(combined);
  combinedTop1 = (await evaluateOrt(combinedBytes, tx, test.y!)).top1;
  log(`filter_pruning + quantization in one config, smaller QDQ export: top-1 on ORT ${(100 * combinedTop1).toFixed(2)}% (${combinedBytes.length} B vs pruned-then-PTQ ${qBytes.length} B)`);
}

const lat = async (batch: number) => {
  const n = 28 * 28;
  const x = { dtype: 'float32' as const, shape: [batch, 1, 28, 28], data: (tx.data as Float32Array).slice(0, batch * n) };
  const [f, p, pq] = await interleavedLatencies([fpBytes, last, qBytes], { input: x }, { runs: 40, threads: 1 });
  return { fp32: f.median, pruned: p.median, prunedInt8: pq.median };
};
const lat1 = await lat(1);
const lat64 = await lat(64);
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
if (fromFile) console.log(`evaluated ${a.from} (no training in this run; "epoch 1" below is that file)`);
console.log(`Fashion-MNIST reference CNN, filter_pruning pruning_target ${a.target} (baseline), ${fineTune.length} images × ${epochs} epochs, ${optLine}, ${trainSeconds.toFixed(0)} s training (${trainer.engine}; load average ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end)`);
console.log(`  FP32 top-1 (ORT)                          ${pct(fp32)}`);
console.log(`  pruned, before fine-tuning (ORT)          ${pct(pruned0)}`);
perEpoch.forEach((v, i) => console.log(`  pruned after epoch ${i + 1} (ORT)              ${pct(v)}  (drop ${(100 * (fp32 - v)).toFixed(2)} pt)`));
console.log(`  pruned + INT8 QDQ (ORT)                   ${pct(qTop1)}  (drop ${(100 * (fp32 - qTop1)).toFixed(2)} pt)`);
console.log(`  FLOPs ${stats.current_flops} / ${stats.full_flops} = ${(stats.current_flops / stats.full_flops).toFixed(3)}, params ${stats.current_params_num} / ${stats.full_params_num} = ${(stats.current_params_num / stats.full_params_num).toFixed(3)} (NNCF's count); exported initializers ${paramsRatio.toFixed(3)}×`);
console.log(`  ORT latency (median, 1 thread) batch 1: FP32 ${lat1.fp32.toFixed(3)} ms, pruned ${lat1.pruned.toFixed(3)} ms (${(lat1.pruned / lat1.fp32).toFixed(2)}×), pruned INT8 ${lat1.prunedInt8.toFixed(3)} ms (${(lat1.prunedInt8 / lat1.fp32).toFixed(2)}×)`);
console.log(`  ORT latency (median, 1 thread) batch 64: FP32 ${lat64.fp32.toFixed(2)} ms, pruned ${lat64.pruned.toFixed(2)} ms (${(lat64.pruned / lat64.fp32).toFixed(2)}×), pruned INT8 ${lat64.prunedInt8.toFixed(2)} ms (${(lat64.prunedInt8 / lat64.fp32).toFixed(2)}×)`);
const drop1 = fp32 - perEpoch[0];
const dropLast = fp32 - perEpoch[perEpoch.length - 1];
const bars: Record<string, boolean> = {
  'drop after epoch 1 <= 1.0 pt': drop1 <= 0.01,
  'drop after last epoch <= 0.5 pt': dropLast <= 0.005,
  'FLOPs and params <= 0.65x': stats.current_flops / stats.full_flops <= 0.65 && stats.current_params_num / stats.full_params_num <= 0.65,
  'pruned faster on ORT (batch 64)': lat64.pruned < lat64.fp32,
  'pruned + INT8 drop <= 0.8 pt (prune, then PTQ the smaller model)': fp32 - qTop1 <= 0.008,
};
if (!fromFile) bars['pruned + INT8 drop <= 0.8 pt (filter_pruning + quantization config)'] = fp32 - combinedTop1 <= 0.008;
for (const [k, ok] of Object.entries(bars)) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${k}`);
if (a.json)
  console.log(JSON.stringify({
    part: 'pruning',
    rows: [
      { metric: 'FP32 top-1 (ORT, 10k)', value: 100 * fp32, unit: '%' },
      ...perEpoch.map((v, i) => ({ metric: `pruned ${a.target} top-1 after epoch ${i + 1} (ORT)`, value: 100 * v, unit: '%' })),
      { metric: 'pruned + INT8 QDQ top-1 (ORT)', value: 100 * qTop1, unit: '%' },
      ...(fromFile ? [] : [{ metric: 'filter_pruning + quantization config, QDQ top-1 (ORT)', value: 100 * combinedTop1, unit: '%' }]),
      { metric: 'FLOPs ratio (NNCF count)', value: stats.current_flops / stats.full_flops, unit: '×' },
      { metric: 'params ratio (NNCF count)', value: stats.current_params_num / stats.full_params_num, unit: '×' },
      { metric: 'ORT latency ratio pruned/FP32, batch 64', value: lat64.pruned / lat64.fp32, unit: '×' },
      { metric: 'ORT latency ratio pruned INT8/FP32, batch 64', value: lat64.prunedInt8 / lat64.fp32, unit: '×' },
      { metric: 'training wall time', value: trainSeconds, unit: 's' },
    ],
  }));
