/**
 * npm run bench:binarization -- [--samples N] [--epochs N] [--mode xnor|dorefa] [--activations-start E] [--weights-start E] [--drop-start E]
 *   [--batch N] [--threads N] [--ckpt-dir DIR] [--resume CKPT]
 * Binarization on the Fashion-MNIST reference CNN with NNCF's config style (the first conv ignored; the
 * FC is a Gemm, never binarized): `--samples` train images (default 15,000) × `--epochs` (default 3) of
 * the `train` command's loop (staged: activations from epoch 0, weights from epoch 1, Adam 1e-3 with
 * the poly LR drop in the last epoch). Prints top-1 on the full 10k test set: FP32 (ORT), the binarized
 * model simulated on the engine, its standard-ops export on ORT and its FakeQuantize export on the
 * engine, with their agreement with the simulated model.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createCompressedModel, exportCompressedModelBytes, exportGraph } from '../../src/api.js';
import { setBinarizationExportFormat } from '../../src/algorithms/binarization/index.js';
import { runTraining } from '../../src/cli/commands/train-loop.js';
import { NNCFConfig } from '../../src/config/index.js';
import { loadData, parsePreprocessSpec } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { readTrainingCheckpoint, trainingSettings } from '../../src/training/index.js';
import { agreement, enginePredictions, evaluateOrt, top1 } from '../reference/evaluate.js';

const { values: a } = parseArgs({
  options: {
    samples: { type: 'string', default: '15000' },
    epochs: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'xnor' },
    // NNCF's staged keys; defaults: activations from epoch 0, weights from 1, poly LR drop (and no weight decay) in the last epoch
    'activations-start': { type: 'string', default: '0' },
    'weights-start': { type: 'string', default: '1' },
    'drop-start': { type: 'string' },
    batch: { type: 'string', default: '128' },
    threads: { type: 'string' },
    // a fresh directory per run: the trainer writes its checkpoints there (shared .cache is used by other runs)
    'ckpt-dir': { type: 'string', default: '.cache/bench/binarization-ckpt' },
    // continue a stopped run from its last.ckpt (same options otherwise), as `nncf-ts train --resume`
    resume: { type: 'string' },
  },
});
const t0 = performance.now();
const log = (m: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);
await initBackend('wasm');
const pre = parsePreprocessSpec('channel=first,scale=1/255,mean=0.286,std=0.353');
const DATA = '.cache/data/fashion-mnist';
const train = (await loadData(DATA, { split: 'train', preprocess: pre, sampleShape: [1, 28, 28] })).shuffled(1).take(Number(a.samples));
const test = await loadData(DATA, { split: 't10k', preprocess: pre, sampleShape: [1, 28, 28] });
const modelBytes = readFileSync('examples/fashion-mnist/model.onnx');
const epochs = Number(a.epochs);
const dropStart = a['drop-start'] === undefined ? epochs - 1 : Number(a['drop-start']);
const config = NNCFConfig.fromObject({
  input_info: { sample_size: [1, 1, 28, 28] },
  batch_size: Number(a.batch),
  epochs,
  seed: 1,
  compression: {
    algorithm: 'binarization',
    mode: a.mode,
    params: { activations_quant_start_epoch: Number(a['activations-start']), weights_quant_start_epoch: Number(a['weights-start']), lr_poly_drop_start_epoch: dropStart, lr_poly_drop_duration_epochs: epochs - dropStart, disable_wd_start_epoch: dropStart },
    ignored_scopes: ['stem/Conv'],
  },
});
const fp32 = await evaluateOrt(modelBytes, test.x as never, test.y!);
log(`FP32 top-1 (ORT, 10k test): ${(100 * fp32.top1).toFixed(2)} %`);
const ckpt = a.resume === undefined ? undefined : readTrainingCheckpoint(a.resume);
const created = await createCompressedModel(parseOnnx(modelBytes), config, { initDataset: train, compressionState: ckpt?.compressionState });
log(`binarized layers: ${created.controller.statistics().values.binarized_layers}, MAC share ${(100 * Number(created.controller.statistics().values.binarized_mac_share)).toFixed(1)} %`);
// per-epoch validation on 2k test images (progress only; the numbers below use all 10k)
const load0 = loadavg()[0];
const tTrain = performance.now();
const trained = await runTraining({ created, config, settings: trainingSettings(config), train, val: test.take(2000), checkpointDir: a['ckpt-dir']!, ckpt, progress: false, log, threads: a.threads === undefined ? undefined : Number(a.threads) });
const engine = trained.engine;
const trainSeconds = (performance.now() - tTrain) / 1000;
const simulated = enginePredictions(created.model.engine, test.x as never);
const std = await evaluateOrt(exportCompressedModelBytes(created), test.x as never, test.y!);
setBinarizationExportFormat(created.controller, 'fq');
const fqEngine = new Engine(exportGraph(created));
const fq = enginePredictions(fqEngine, test.x as never);
const lines = [
  `mode ${a.mode}, ${train.length} train images × ${epochs} epochs, batch ${a.batch} (activations from epoch ${a['activations-start']}, weights from ${a['weights-start']}, poly LR drop and no weight decay from ${dropStart})`,
  `training ${trainSeconds.toFixed(0)} s wall on ${engine}, load average ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`,
  `FP32 (ORT)                         top-1 ${(100 * fp32.top1).toFixed(2)} %`,
  `binarized, simulated (engine)      top-1 ${(100 * top1(simulated, test.y!)).toFixed(2)} %`,
  `export, standard ops (ORT)         top-1 ${(100 * std.top1).toFixed(2)} %, agreement with simulated ${(100 * agreement(std.predictions, simulated)).toFixed(2)} %`,
  `export, FakeQuantize (engine)      top-1 ${(100 * top1(fq, test.y!)).toFixed(2)} %, agreement with simulated ${(100 * agreement(fq, simulated)).toFixed(2)} %`,
];
console.log(lines.join('\n'));
fqEngine.dispose();
void tf;
