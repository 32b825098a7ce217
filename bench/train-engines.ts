/**
 * npm run bench:train-engines -- [--samples N] [--epochs N] [--threads N]
 * `nncf-ts train --json` on the Fashion-MNIST reference CNN (examples/fashion-mnist/model.onnx), once with
 * `--engine ort` and once with `--engine tfjs`, in this run: the same config (FP32 fine-tune: SGD 0.01,
 * momentum 0.9, batch 64, seed 1), the first `--samples` train images (default 60,000) and the 10,000
 * test images as --val. Prints each engine's training img/s (the CLI's img_per_s: batch loops only) and
 * final val accuracy, and the ratio. Subsets are written as .npz under .cache/bench/ (preprocessed).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadData, parsePreprocessSpec, writeNpz, type Dataset } from '../src/data/index.js';

const { values: a } = parseArgs({ options: { samples: { type: 'string', default: '60000' }, epochs: { type: 'string', default: '1' }, threads: { type: 'string' } } });
const OUT = '.cache/bench/train-engines';
mkdirSync(OUT, { recursive: true });
const pre = parsePreprocessSpec('channel=first,scale=1/255,mean=0.286,std=0.353');
const DATA = '.cache/data/fashion-mnist';
const save = async (ds: Dataset, name: string) => {
  const path = `${OUT}/${name}.npz`;
  await writeNpz(path, { x: ds.x, y: ds.y! });
  return path;
};
const train = await save((await loadData(DATA, { split: 'train', preprocess: pre, sampleShape: [1, 28, 28] })).take(Number(a.samples)), 'train');
const val = await save(await loadData(DATA, { split: 't10k', preprocess: pre, sampleShape: [1, 28, 28] }), 'val');
const config = `${OUT}/config.json`;
writeFileSync(config, JSON.stringify({ input_info: { sample_size: [1, 1, 28, 28] }, batch_size: 64, epochs: Number(a.epochs), seed: 1, optimizer: { type: 'sgd', base_lr: 0.01, optimizer_params: { momentum: 0.9 }, weight_decay: 5e-4 } }));

const results: Record<string, { img_per_s: number; val_acc: number; train_seconds: number; loss: number }> = {};
for (const engine of ['ort', 'tfjs']) {
  const args = ['bin/nncf-ts.js', 'train', '--model', 'examples/fashion-mnist/model.onnx', '--config', config, '--train', train, '--val', val, '--out', `${OUT}/${engine}.onnx`, '--engine', engine, '--json', '--no-progress', ...(a.threads ? ['--threads', a.threads] : [])];
  const t0 = performance.now();
  const p = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (p.status !== 0) throw new Error(`${engine}: exit ${p.status}\n${p.stderr}`);
  results[engine] = JSON.parse(p.stdout.trim().split('\n').at(-1)!);
  const r = results[engine];
  console.error(`${engine}: ${r.img_per_s} img/s over ${r.train_seconds} s of training (process ${((performance.now() - t0) / 1000).toFixed(0)} s), loss ${r.loss.toFixed(4)}, val acc ${(100 * r.val_acc).toFixed(2)}%`);
}
const { ort, tfjs } = results;
console.log(`Fashion CNN, nncf-ts train, ${a.samples} images × ${a.epochs} epoch(s), batch 64:`);
console.log(`  ORT   ${ort.img_per_s} img/s, val acc ${(100 * ort.val_acc).toFixed(2)}%`);
console.log(`  tfjs  ${tfjs.img_per_s} img/s, val acc ${(100 * tfjs.val_acc).toFixed(2)}%`);
console.log(`  ORT / tfjs throughput ${(ort.img_per_s / tfjs.img_per_s).toFixed(2)}×, |Δ val acc| ${(100 * Math.abs(ort.val_acc - tfjs.val_acc)).toFixed(2)} pt`);
