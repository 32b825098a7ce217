/**
 * npm run bench:aa -- [--samples N] [--max-epochs N] [--threads N] [--out-dir DIR] [--write-docs]
 *
 * Issue 15 acceptance "Real run": `nncf-ts train --engine ort` on the Fashion-MNIST reference CNN
 * (examples/fashion-mnist/model.onnx) with magnitude_sparsity + accuracy_aware_training
 * adaptive_compression_level, maximal_relative_accuracy_degradation 1.0 (top-1 ≥ 99 % of FP32) and at most
 * `--max-epochs` (default 15) epochs in total. Each epoch trains on the same `--samples` train images
 * (default 4,000: a seeded shuffle of the 60k, so 15 epochs fit the loaded shared machine); --val is
 * `--val-samples` (default 5,000) of the t10k set, seeded shuffle (Fashion-MNIST has no separate
 * validation split; the loop validates after every epoch on the tfjs engine, so its size costs time). Prints the loop's history (rate,
 * val top-1, budget per epoch), the rate reached and the wall time; --write-docs puts the result into
 * docs/benchmarks.md between the `bench:aa` markers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/exporters/onnx/index.js';
import { loadData, writeNpz } from '../src/data/index.js';

const { values: a } = parseArgs({
  options: {
    samples: { type: 'string', default: '4000' },
    'val-samples': { type: 'string', default: '5000' },
    'max-epochs': { type: 'string', default: '15' },
    threads: { type: 'string' },
    'out-dir': { type: 'string', default: '.cache/bench/aa' },
    'write-docs': { type: 'boolean', default: false },
  },
});
const OUT = a['out-dir']!;
const DATA = '.cache/data/fashion-mnist';
const PRE = 'channel=first,scale=1/255,mean=0.286,std=0.353';
mkdirSync(OUT, { recursive: true });
const samples = Number(a.samples);
const maxEpochs = Number(a['max-epochs']);

// raw uint8 images: the CLI applies --preprocess itself, as a user's run would
const trainPath = `${OUT}/train-${samples}.npz`;
if (!existsSync(trainPath)) {
  const subset = (await loadData(DATA, { split: 'train' })).shuffled(1).take(samples);
  await writeNpz(trainPath, { x: subset.x, y: subset.y! });
}
const valSamples = Number(a['val-samples']);
const valPath = `${OUT}/val-${valSamples}.npz`;
if (!existsSync(valPath)) {
  const subset = (await loadData(DATA, { split: 't10k' })).shuffled(2).take(valSamples);
  await writeNpz(valPath, { x: subset.x, y: subset.y! });
}

const config = {
  input_info: { sample_size: [1, 1, 28, 28] },
  batch_size: 128,
  seed: 1,
  optimizer: { type: 'adam', base_lr: 2e-4, weight_decay: 0 },
  accuracy_aware_training: {
    mode: 'adaptive_compression_level',
    params: {
      maximal_relative_accuracy_degradation: 1.0,
      initial_training_phase_epochs: 1,
      patience_epochs: 1,
      initial_compression_rate_step: 0.1,
      compression_rate_step_reduction_factor: 0.5,
      minimal_compression_rate_step: 0.025,
      maximal_total_epochs: maxEpochs,
    },
  },
  // start at 50 % (reached at once: target epoch 0); the loop then moves the rate itself
  compression: { algorithm: 'magnitude_sparsity', sparsity_init: 0.5, params: { sparsity_target: 0.5, sparsity_target_epoch: 0 } },
};
const configPath = `${OUT}/config.json`;
writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
const reportPath = `${OUT}/report.json`;
const args = [
  'bin/nncf-ts.js', 'train', '--model', 'examples/fashion-mnist/model.onnx', '--config', configPath, '--train', trainPath, '--val', valPath,
  '--preprocess', PRE, '--out', `${OUT}/sparse.onnx`, '--engine', 'ort', '--report', reportPath, '--json', '--no-progress',
  ...(a.threads ? ['--threads', a.threads] : []),
];
const loadBefore = loadavg()[0];
const t0 = performance.now();
console.error(`running: node ${args.join(' ')}`);
const p = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
const wall = (performance.now() - t0) / 1000;
const loadAfter = loadavg()[0];
if (p.status !== 0) throw new Error(`nncf-ts train exited ${p.status}`);
const summary = JSON.parse(p.stdout.trim().split('\n').at(-1)!) as { engine: string; img_per_s: number };
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
  accuracy_aware_training: {
    reason: string; compressionRate: number; accuracy: number; uncompressedAccuracy: number; minimalTolerableAccuracy: number; budget: number; epochs: number;
    history: { epoch: number; phase: string; compressionRate: number; accuracy: number; budget: number; fullyCompressed: boolean; rateStep?: number; lrFactor?: number }[];
  };
  statistics: Record<string, unknown>;
};
const r = report.accuracy_aware_training;
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const rows = r.history.map((h) => `| ${h.epoch} | ${h.phase} | ${h.compressionRate.toFixed(4)} | ${pct(h.accuracy)} | ${h.budget >= 0 ? '+' : ''}${(100 * h.budget).toFixed(2)} pt | ${h.rateStep === undefined ? '' : h.rateStep.toFixed(4)} |`);
const md = [
  '<!-- bench:aa start: generated by `npm run bench:aa -- --write-docs` (bench/aa-fashion.ts) -->',
  '## Accuracy-aware training: adaptive magnitude sparsity on Fashion-MNIST (`npm run bench:aa`)',
  '',
  `\`nncf-ts train --engine ${summary.engine}\`, examples/fashion-mnist/model.onnx, magnitude_sparsity from 50 % + accuracy_aware_training adaptive_compression_level ` +
    `(maximal_relative_accuracy_degradation 1.0, initial phase 1 epoch, patience 1, rate step 0.1 → ≥ 0.025, at most ${maxEpochs} epochs), Adam 2e-4, batch 128. ` +
    `Each epoch trains on the same ${samples.toLocaleString('en')} of the 60k train images (seeded shuffle); validation = ${valSamples.toLocaleString('en')} of the 10k test images (seeded shuffle).`,
  '',
  `- FP32 top-1 (ORT, on the validation images): **${pct(r.uncompressedAccuracy)}**; minimal tolerable (99 %): ${pct(r.minimalTolerableAccuracy)}`,
  `- Result: **sparsity ${pct(r.compressionRate)}** at top-1 **${pct(r.accuracy)}** (budget ${(100 * r.budget).toFixed(2)} pt) after ${r.epochs} epochs — ${r.reason}`,
  `- Wall time ${(wall / 60).toFixed(1)} min (whole CLI run incl. validations and checkpoints), training ${summary.img_per_s} img/s; load average ${loadBefore.toFixed(1)} at start, ${loadAfter.toFixed(1)} at end, ${cpus().length} cores shared with other work`,
  '',
  '| epoch | phase | compression rate | val top-1 | budget | rate step |',
  '| ---: | --- | ---: | ---: | ---: | ---: |',
  ...rows,
  '<!-- bench:aa end -->',
].join('\n');
console.log(md);
if (a['write-docs']) {
  const doc = readFileSync('docs/benchmarks.md', 'utf8');
  const re = /<!-- bench:aa start[\s\S]*?<!-- bench:aa end -->/;
  writeFileAtomic('docs/benchmarks.md', new TextEncoder().encode(re.test(doc) ? doc.replace(re, md) : `${doc.trimEnd()}\n\n${md}\n`));
  console.error('wrote docs/benchmarks.md');
}
