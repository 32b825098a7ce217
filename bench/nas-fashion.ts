/**
 * npm run bench:nas -- [--samples N] [--epochs0 N] [--epochs1 N] [--lr X] [--batch N] [--population N]
 *   [--evals N] [--search-images N] [--bn-samples N] [--threads N] [--seed N] [--out-doc] [--json]
 * Defaults: 12,000 train images per epoch, stage 0 (depth) 1 epoch + stage 1 (depth + width) 3 epochs,
 * batch 64, stage LRs 1e-3 / 5e-4 (SGD momentum 0.9), NSGA-II population 16 × 10 generations.
 *
 * BootstrapNAS acceptance on the Fashion-MNIST reference CNN (issue 16): an NNCF-style config with elastic
 * width + depth (2 stages), progressive shrinking on ONNX Runtime starting from the trained reference
 * weights, then NSGA-II over the subnets (objectives: MACs and top-1 on `--search-images` test images, each
 * subnet evaluated after BatchNorm adaptation on `--bn-samples` train images, as NNCF's search does).
 * The final front is measured on the full 10k test set with each subnet exported standalone and run on
 * onnxruntime-node. Prints the front size, supernet top-1, the smallest subnet within 1 pt of the
 * supernet and its MACs ratio, wall time and load average.
 *
 * Depth: the reference CNN has one residual block (`layer1`), which the automatic block search finds;
 * the rest (strided, depthwise, pointwise convs) changes shape and cannot be skipped.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createProgressiveShrinking, nsga2, searchParams, type SubnetConfig } from '../src/algorithms/nas/index.js';
import { CompressedModel } from '../src/compression/index.js';
import { NNCFConfig } from '../src/config/index.js';
import { loadData, parsePreprocessSpec, type Dataset, type NdArray } from '../src/data/index.js';
import { Engine, initBackend } from '../src/engine/index.js';
import { exportOnnx } from '../src/exporters/onnx/save.js';
import { parseOnnx } from '../src/frontends/onnx/index.js';
import { taskLoss, Trainer, trainingSettings } from '../src/training/index.js';
import { evaluateOrt } from './reference/evaluate.js';

const { values: a } = parseArgs({
  options: {
    samples: { type: 'string', default: '12000' },
    epochs0: { type: 'string', default: '1' },
    epochs1: { type: 'string', default: '3' },
    lr0: { type: 'string', default: '1e-3' },
    lr1: { type: 'string', default: '5e-4' },
    batch: { type: 'string', default: '64' },
    population: { type: 'string', default: '16' },
    evals: { type: 'string', default: '160' },
    'search-images': { type: 'string', default: '2000' },
    'bn-samples': { type: 'string', default: '512' },
    threads: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'out-doc': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const DIR = 'examples/fashion-mnist';
const DATA = '.cache/data/fashion-mnist';
const PREPROCESS = 'channel=first,scale=1/255,mean=0.286,std=0.353';
const seed = Number(a.seed);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const loads: number[] = [];
const log = (m: string) => {
  loads.push(loadavg()[0]);
  console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s, load ${loadavg()[0].toFixed(1)}] ${m}`);
};

await initBackend('wasm');
const pre = parsePreprocessSpec(PREPROCESS);
const train = await loadData(DATA, { split: 'train', preprocess: pre, sampleShape: [1, 28, 28] });
const test = await loadData(DATA, { split: 't10k', preprocess: pre, sampleShape: [1, 28, 28] });
const fineTune = train.shuffled(seed).take(Number(a.samples));
const bnData = train.stratifiedSample(Number(a['bn-samples']), seed + 1);
const searchSet = test.take(Number(a['search-images']));
const tx = test.x as NdArray<'float32'>;
log(`data: train ${train.length}, per epoch ${fineTune.length}, search on ${searchSet.length} test images, BN adaptation ${bnData.length} images`);

const fpBytes = new Uint8Array(readFileSync(`${DIR}/model.onnx`));
const fp32 = (await evaluateOrt(fpBytes, tx, test.y!)).top1;
log(`reference model top-1 on ORT ${(100 * fp32).toFixed(2)}%`);

const batch = Number(a.batch);
const stepsPerEpoch = fineTune.numBatches(batch);
const nas = {
  training: {
    progressivity_of_elasticity: ['kernel', 'depth', 'width'],
    batchnorm_adaptation: { num_bn_adaptation_samples: bnData.length },
    elasticity: {
      available_elasticity_dims: ['width', 'depth'],
      width: { min_width: 16, width_step: 16, max_num_widths: 5 },
      depth: { min_block_size: 4, max_block_size: 16 },
    },
    schedule: {
      list_stage_descriptions: [
        { train_dims: ['depth'], epochs: Number(a.epochs0), init_lr: Number(a.lr0), depth_indicator: 1 },
        { train_dims: ['depth', 'width'], epochs: Number(a.epochs1), init_lr: Number(a.lr1), width_indicator: 5, reorg_weights: true, bn_adapt: true },
      ],
    },
  },
  search: { algorithm: 'NSGA2', population: Number(a.population), num_evals: Number(a.evals), seed },
};
const config = NNCFConfig.fromObject({
  input_info: { sample_size: [1, 1, 28, 28] },
  batch_size: batch,
  epochs: Number(a.epochs0) + Number(a.epochs1),
  seed,
  optimizer: { type: 'sgd', base_lr: Number(a.lr0), weight_decay: 0, optimizer_params: { momentum: 0.9 } },
  bootstrapNAS: nas,
});
const graph = parseOnnx(fpBytes);
const model = new CompressedModel(graph, new Engine(graph));
const input = graph.inputs[0].name;

/** Running statistics (non-trainable engine weights): saved before a BN adaptation, put back after. */
const runningStats = () => model.engine.weights().filter((w) => !w.trainable).map((w) => ({ v: w.variable, saved: w.variable.clone() }));
async function bnAdapt(data: Dataset = bnData): Promise<void> {
  for (const b of data.batches(64)) {
    const x = tf.tensor(b.x.data as Float32Array, b.x.shape);
    tf.tidy(() => void model.run({ [input]: x }, { bnTraining: true }));
    x.dispose();
  }
}
const built = createProgressiveShrinking(model, config, { stepsPerEpoch, seed, bnAdapt, log });
const { handler, controller } = built;
handler.activateSupernet();
const fullMacs = handler.macs();
log(`search space: ${JSON.stringify(handler.searchSpace())}; design vars ${handler.designVars().upper.join(',')}; supernet MACs ${(fullMacs / 1e6).toFixed(2)} M`);

const trainer = new Trainer({
  model, controller, train: fineTune, settings: trainingSettings(config), config, loss: taskLoss('cross_entropy', 'logits'), engine: 'ort',
  threads: a.threads === undefined ? undefined : Number(a.threads), log,
  onEpochEnd: (rec) => log(`epoch ${rec.epoch}: loss ${rec.loss.toFixed(4)}, stage ${controller.scheduler.stageIndex}, lr ${rec.lr.toExponential(2)}`),
});
const tTrain = performance.now();
await trainer.fit();
const trainSeconds = (performance.now() - tTrain) / 1000;
trainer.dispose();
mkdirSync('.cache/bench', { recursive: true });
log(`trained in ${trainSeconds.toFixed(0)} s on ${trainer.engine}`);

/** Top-1 of a subnet: activated, BN-adapted (stats restored afterwards), exported standalone, run on ORT. */
async function evaluate(cfg: SubnetConfig | 'supernet', x: NdArray<'float32'>, y: NdArray): Promise<{ top1: number; macs: number; bytes: Uint8Array }> {
  const before = handler.activeConfig();
  if (cfg === 'supernet') handler.activateSupernet();
  else handler.activate(cfg);
  const saved = runningStats();
  try {
    await bnAdapt();
    const bytes = exportOnnx(handler.exportSubnet());
    const top1 = (await evaluateOrt(bytes, x, y)).top1;
    return { top1, macs: handler.macs(), bytes };
  } finally {
    for (const { v, saved: s } of saved) {
      v.assign(s);
      s.dispose();
    }
    handler.activate(before);
  }
}

// the search: every dimension on (NNCF's search runs on the last stage's elasticity), every width allowed
for (const d of handler.availableDims()) handler.enable(d, true);
(handler.dims.width as unknown as { widthIndicator: number }).widthIndicator = -1;
const sp = searchParams(nas.search);
const { upper } = handler.designVars();
const sx = searchSet.x as NdArray<'float32'>;
const supernetSearch = await evaluate('supernet', sx, searchSet.y!);
log(`supernet top-1 on the search images ${(100 * supernetSearch.top1).toFixed(2)}%; search: population ${sp.population}, ${sp.generations} generations`);
const tSearch = performance.now();
let evals = 0;
const result = await nsga2(
  { xl: upper.map(() => 0), xu: upper },
  async (x) => {
    const r = await evaluate(handler.configFromVector(x), sx, searchSet.y!);
    if (++evals % 20 === 0) log(`search: ${evals} subnets evaluated`);
    return [r.macs / 1e6, -100 * r.top1];
  },
  sp,
);
const searchSeconds = (performance.now() - tSearch) / 1000;
log(`search: ${result.evaluated.length} subnets in ${searchSeconds.toFixed(0)} s, front ${result.front.length}`);

// the front on the full test set, each subnet exported standalone
const supernet = await evaluate('supernet', tx, test.y!);
writeFileSync('.cache/bench/nas-supernet.onnx', supernet.bytes);
const front = [];
for (const ind of result.front) {
  const cfg = handler.configFromVector(ind.x);
  const r = await evaluate(cfg, tx, test.y!);
  front.push({ config: cfg, macs: r.macs, ratio: r.macs / supernet.macs, top1: r.top1 });
}
front.sort((p, q) => p.macs - q.macs);
const within = front.filter((f) => f.top1 >= supernet.top1 - 0.01);
const smallest = within[0];
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const loadMean = loads.reduce((s, v) => s + v, 0) / loads.length;
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const lines = [
  `Fashion-MNIST reference CNN, BootstrapNAS width + depth: ${fineTune.length} images × (${a.epochs0} + ${a.epochs1}) epochs on ${trainer.engine} (${trainSeconds.toFixed(0)} s), NSGA-II ${sp.population} × ${sp.generations} (${result.evaluated.length} subnets, ${searchSeconds.toFixed(0)} s)`,
  `  reference model top-1 (ORT, 10k)                 ${pct(fp32)}`,
  `  supernet top-1 after training (ORT, 10k)         ${pct(supernet.top1)}   MACs ${(supernet.macs / 1e6).toFixed(2)} M`,
  `  Pareto front (10k test, standalone subnets on ORT): ${front.length} subnets`,
  ...front.map((f) => `    MACs ${(f.macs / 1e6).toFixed(2).padStart(6)} M (${f.ratio.toFixed(3)}×)  top-1 ${pct(f.top1)}  ${JSON.stringify(f.config)}`),
  `  smallest within 1 pt of the supernet: ${smallest ? `${pct(smallest.top1)} at ${smallest.ratio.toFixed(3)}× MACs` : 'none'}`,
  `  wall ${wall.toFixed(0)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s, load average ${loadMean.toFixed(1)} (1-min, mean of the log lines)`,
];
const bars = {
  'front >= 4 subnets': front.length >= 4,
  'smallest within 1 pt has <= 0.6x MACs': !!smallest && smallest.ratio <= 0.6,
};
for (const [k, ok] of Object.entries(bars)) lines.push(`  ${ok ? 'PASS' : 'FAIL'}  ${k}`);
console.log(lines.join('\n'));
const out = { front, supernet: { top1: supernet.top1, macs: supernet.macs }, reference: fp32, smallest, wall, trainSeconds, searchSeconds, load: loadMean, args: a };
const tmp = '.cache/bench/nas-fashion.json.tmp';
writeFileSync(tmp, JSON.stringify(out, null, 1));
renameSync(tmp, '.cache/bench/nas-fashion.json');
if (a.json) console.log(JSON.stringify(out));
handler.dispose();
model.engine.dispose();
