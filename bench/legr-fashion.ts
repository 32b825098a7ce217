/**
 * npm run bench:legr -- [--generations 3] [--train-steps 20] [--population 2] [--mutate 0.5]
 *   [--target 0.4] [--samples 6400] [--legr-val 2000] [--batch 64] [--lr 3e-4] [--seed 1] [--repro] [--legr-only] [--json]
 *
 * LeGR (filter_pruning interlayer_ranking_type "learned_ranking", issue 14) on the Fashion-MNIST
 * reference CNN with a small budget, against plain L2 ranking at the same FLOPs target
 * (pruning_flops_target `--target`, baseline schedule):
 *   - L2 uniform (all_weights false: the same level in every group, found for the FLOPs target),
 *   - L2 global (all_weights true: layer-normalised L2 norms ranked together),
 *   - LeGR (a·‖w‖₂ + b per layer, learned with `--generations` episodes of `--train-steps` SGD steps
 *     (NNCF's default optimizer), reward −loss on `--legr-val` held-out training images).
 * Each variant is then fine-tuned the same way (`--samples` images, one epoch, Adam `--lr` cosine) and
 * exported physically smaller; top-1 is measured on onnxruntime-node on the full 10k test set, before
 * and after fine-tuning. LeGR's search cost is reported in CPU seconds (process.cpuUsage) with the load.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createCompressedModel, exportCompressedModelBytes, legrInitArgs } from '../src/api.js';
import type { FilterPruningController } from '../src/algorithms/pruning/index.js';
import { NNCFConfig } from '../src/config/index.js';
import { loadData, parsePreprocessSpec, type NdArray } from '../src/data/index.js';
import { Random } from '../src/data/random.js';
import { initBackend } from '../src/engine/index.js';
import { parseOnnx } from '../src/frontends/onnx/index.js';
import { taskLoss, Trainer, trainingSettings } from '../src/training/index.js';
import { evaluateOrt } from './reference/evaluate.js';

const { values: a } = parseArgs({
  options: {
    generations: { type: 'string', default: '3' },
    'train-steps': { type: 'string', default: '20' },
    population: { type: 'string', default: '2' },
    mutate: { type: 'string', default: '0.5' },
    target: { type: 'string', default: '0.4' },
    samples: { type: 'string', default: '6400' },
    'legr-val': { type: 'string', default: '2000' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '3e-4' },
    seed: { type: 'string', default: '1' },
    // run the LeGR search a second time and compare the coefficients (seeded reproducibility)
    repro: { type: 'boolean', default: false },
    // only the LeGR row (the L2 rows do not depend on the LeGR options)
    'legr-only': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const DIR = 'examples/fashion-mnist';
const DATA = '.cache/data/fashion-mnist';
const PREPROCESS = 'channel=first,scale=1/255,mean=0.286,std=0.353';
const seed = Number(a.seed);
const batch = Number(a.batch);
const target = Number(a.target);
const t0 = performance.now();
const log = (m: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);

const backend = await initBackend('wasm');
const pre = parsePreprocessSpec(PREPROCESS);
const train = await loadData(DATA, { split: 'train', preprocess: pre, sampleShape: [1, 28, 28] });
const test = await loadData(DATA, { split: 't10k', preprocess: pre, sampleShape: [1, 28, 28] });
// disjoint parts of the training split: fine-tuning, LeGR's training episodes, LeGR's validation
const perm = new Random(seed).permutation(train.length);
const nVal = Number(a['legr-val']);
const legrVal = train.subset(perm.slice(0, nVal));
const legrTrain = train.subset(perm.slice(nVal, nVal + 20_000));
const fineTune = train.subset(perm.slice(nVal + 20_000, nVal + 20_000 + Number(a.samples)));
const tx = test.x as NdArray<'float32'>;
log(`data: fine-tune ${fineTune.length}, LeGR train pool ${legrTrain.length}, LeGR val ${legrVal.length}, test ${test.length} (${backend}); load ${loadavg()[0].toFixed(1)}`);

const fpBytes = new Uint8Array(readFileSync(`${DIR}/model.onnx`));
const fp32 = (await evaluateOrt(fpBytes, tx, test.y!)).top1;
log(`FP32 top-1 on ORT ${(100 * fp32).toFixed(2)}%`);

type Variant = { name: string; params: Record<string, unknown>; legr?: boolean };
const configOf = (v: Variant) =>
  NNCFConfig.fromObject({
    input_info: { sample_size: [1, 1, 28, 28] },
    batch_size: batch,
    epochs: 1,
    seed,
    optimizer: { type: 'adam', base_lr: Number(a.lr), weight_decay: 0, schedule_type: 'cosine' },
    compression: { algorithm: 'filter_pruning', params: { schedule: 'baseline', pruning_flops_target: target, filter_importance: 'L2', prune_first_conv: true, prune_downsample_convs: true, ...v.params } },
  });
const legrParams = { generations: Number(a.generations), train_steps: Number(a['train-steps']), population_size: Number(a.population), mutate_percent: Number(a.mutate), random_seed: seed };
const variants: Variant[] = [
  { name: 'L2 uniform (all_weights false)', params: { all_weights: false } },
  { name: 'L2 global (all_weights true)', params: { all_weights: true } },
  { name: `LeGR (${legrParams.generations} generations × ${legrParams.train_steps} steps)`, params: { interlayer_ranking_type: 'learned_ranking', legr_params: legrParams }, legr: true },
];

interface Row {
  name: string;
  before: number;
  after: number;
  flops: number;
  params: number;
  searchCpu?: number;
  coeffs?: string;
  exact?: string;
}
const rows: Row[] = [];
for (const v of variants.filter((x) => x.legr || !a['legr-only'])) {
  const config = configOf(v);
  if (v.legr) config.registerExtraStructs([legrInitArgs(legrTrain, legrVal, { batchSize: batch, seed, threads: 1 })]);
  const cpu0 = process.cpuUsage();
  const r = await createCompressedModel(parseOnnx(fpBytes), config);
  const cpu = process.cpuUsage(cpu0);
  const c = r.controller as FilterPruningController;
  const exported: Uint8Array[] = [];
  const trainer = new Trainer({
    model: r.model, controller: r.controller, train: fineTune, settings: trainingSettings(config), config, threads: 1,
    loss: taskLoss('cross_entropy', 'logits'),
    onEpochStart: () => exported.push(exportCompressedModelBytes(r)),
    onEpochEnd: () => exported.push(exportCompressedModelBytes(r)),
  });
  await trainer.fit();
  const [before, after] = await Promise.all(exported.map(async (b) => (await evaluateOrt(b, tx, test.y!)).top1));
  const s = c.statistics().values as Record<string, number>;
  const row: Row = { name: v.name, before, after, flops: s.current_flops / s.full_flops, params: s.current_params_num / s.full_params_num };
  if (v.legr) {
    row.searchCpu = (cpu.user + cpu.system) / 1e6;
    row.exact = JSON.stringify([...c.rankingCoeffs]);
    row.coeffs = [...c.rankingCoeffs].map(([k, [x, y]]) => `${k}: (${x.toFixed(3)}, ${y.toFixed(3)})`).join('; ');
  }
  rows.push(row);
  log(`${v.name}: top-1 ${(100 * before).toFixed(2)}% → ${(100 * after).toFixed(2)}% after fine-tuning; FLOPs ${row.flops.toFixed(3)}×, params ${row.params.toFixed(3)}×${row.searchCpu ? `; search ${row.searchCpu.toFixed(0)} CPU s` : ''}`);
  c.dispose();
}

let repro: boolean | undefined;
if (a.repro) {
  const v = variants.find((x) => x.legr)!;
  const config = configOf(v).registerExtraStructs([legrInitArgs(legrTrain, legrVal, { batchSize: batch, seed, threads: 1 })]);
  const again = (await createCompressedModel(parseOnnx(fpBytes), config)).controller as FilterPruningController;
  const twice = [...again.rankingCoeffs].map(([k, [x, y]]) => `${k}: (${x.toFixed(3)}, ${y.toFixed(3)})`).join('; ');
  repro = JSON.stringify([...again.rankingCoeffs]) === rows.find((r) => r.exact)!.exact;
  log(`LeGR search repeated with seed ${seed}: ${repro ? 'the same' : 'DIFFERENT'} coefficients (${twice})`);
  again.dispose();
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
console.log(`Fashion-MNIST reference CNN, filter_pruning pruning_flops_target ${target} (baseline), fine-tuned ${fineTune.length} images × 1 epoch, Adam ${a.lr} cosine; FP32 top-1 ${pct(fp32)} (ORT, 10k); load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
console.log('| ranking | FLOPs (NNCF count) | params | top-1 pruned, no fine-tuning | top-1 after fine-tuning | drop vs FP32 |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${r.flops.toFixed(3)}× | ${r.params.toFixed(3)}× | ${pct(r.before)} | ${pct(r.after)} | ${(100 * (fp32 - r.after)).toFixed(2)} pt |`);
const legrRow = rows.find((r) => r.searchCpu !== undefined);
if (legrRow) console.log(`LeGR search: ${legrRow.searchCpu!.toFixed(0)} CPU s; coefficients ${legrRow.coeffs}${repro === undefined ? '' : `; repeated search: ${repro ? 'same coefficients' : 'DIFFERENT coefficients'}`}`);
if (a.json) console.log(JSON.stringify({ part: 'legr', fp32, rows, repro }));
