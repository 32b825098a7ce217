/**
 * `npm run bench:train`: training step time (forward + backward + optimizer, through the Trainer) of one
 * model as FP32, with knowledge distillation, with INT8 QAT and with QAT+KD, printed as ms/step and as
 * ratios to FP32, in one run. Model: the ResNet-style test net (16×16 inputs, width 16), batch 32, wasm.
 * Options: --steps N (default 20), --warmup N (default 3), --batch N (default 32), --backend wasm|cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createCompressedModel } from '../src/api.js';
import { NNCFConfig } from '../src/config/index.js';
import { Dataset, Random } from '../src/data/index.js';
import { initBackend } from '../src/engine/index.js';
import { Trainer, softmaxCrossEntropy, trainingSettings } from '../src/training/index.js';
import { resnetStyle } from '../test/helpers/models.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const steps = Number(arg('steps', '20'));
const warmup = Number(arg('warmup', '3'));
const batch = Number(arg('batch', '32'));
const backend = await initBackend(arg('backend', 'wasm') as 'wasm' | 'cpu');

const size = 16;
const rng = new Random(1);
const n = batch * (steps + warmup);
const x = new Float32Array(n * 3 * size * size).map(() => rng.normal());
const y = Int32Array.from({ length: n }, () => rng.int(10));
const data = new Dataset({ dtype: 'float32', shape: [n, 3, size, size], data: x }, { dtype: 'int32', shape: [n], data: y });

const KD = { algorithm: 'knowledge_distillation', type: 'softmax', temperature: 2 };
const QAT = { algorithm: 'quantization', initializer: { range: { num_init_samples: batch } } };
const variants: [string, object[]][] = [
  ['FP32', []],
  ['FP32+KD', [KD]],
  ['INT8 QAT', [QAT]],
  ['INT8 QAT+KD', [QAT, KD]],
];

async function measure(compression: object[]): Promise<number> {
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [batch, 3, size, size] },
    batch_size: batch,
    epochs: 1,
    optimizer: { type: 'sgd', base_lr: 0.01, optimizer_params: { momentum: 0.9 } },
    ...(compression.length ? { compression } : {}),
  });
  const { graph } = resnetStyle({ size, width: 16 });
  const created = await createCompressedModel(graph, config, { initDataset: data.take(batch) });
  const times: number[] = [];
  let t0 = performance.now();
  const trainer = new Trainer({
    model: created.model,
    controller: created.controller,
    train: data,
    settings: trainingSettings(config),
    config,
    loss: (o, labels) => softmaxCrossEntropy(o.logits, labels!),
    onBatchEnd: () => {
      const t = performance.now();
      times.push(t - t0);
      t0 = t;
    },
    onEpochStart: () => (t0 = performance.now()),
  });
  await trainer.fit();
  trainer.dispose();
  created.controller.dispose();
  const sorted = times.slice(warmup).sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

console.log(`training step time, ResNet-style ${size}×${size}, batch ${batch}, ${backend}, median of ${steps} steps after ${warmup} warm-up`);
const rows: [string, string, string][] = [];
let fp32 = NaN;
for (const [name, compression] of variants) {
  try {
    const ms = await measure(compression);
    if (name === 'FP32') fp32 = ms;
    rows.push([name, ms.toFixed(1), (ms / fp32).toFixed(2)]);
  } catch (err) {
    rows.push([name, 'n/a', `(${(err as Error).message.split('\n')[0].slice(0, 90)})`]);
  }
  const [name_, ms_, ratio] = rows.at(-1)!;
  console.log(ms_ === 'n/a' ? `${name_.padEnd(12)}      n/a  ${ratio}` : `${name_.padEnd(12)} ${ms_.padStart(8)} ms/step   ×${ratio} of FP32`);
}
console.log(`live tensors at the end: ${tf.memory().numTensors}`);
