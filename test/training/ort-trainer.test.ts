/**
 * The trainer on ONNX Runtime (compiled training graph) vs on the tfjs engine: the same job, the same
 * batches → the same weights (running statistics included; each tensor norm-wise) within 1e-3, for SGD and Adam with weight
 * decay and an LR schedule; MSE and KD losses; the live tensor count stays flat on ORT.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dataset, loadData } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { taskLoss } from '../../src/training/index.js';
import { resnetStyle } from '../helpers/models.js';
import { digits, digitsCnn } from './helpers.js';
import { makeJob, maxRelDiff, randomDataset, weightsOf, type Job } from './ort-helpers.js';

let fashion: Graph;
let fashionData: Dataset;
beforeAll(async () => {
  await initBackend('wasm');
  fashion = await loadOnnxModel('examples/fashion-mnist/model.onnx');
  fashionData = (await loadData('examples/fashion-mnist')).take(96);
});

const SGD = { type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0.9, nesterov: true }, weight_decay: 5e-4, schedule_type: 'multistep', steps: [1], gamma: 0.5 };
const ADAM = { type: 'adam', base_lr: 2e-3, weight_decay: 1e-4, schedule_type: 'cosine', schedule_params: { T_max: 2 } };

async function both(job: Omit<Job, 'engine'>) {
  const runs = [];
  for (const engine of ['ort', 'tfjs'] as const) {
    const j = await makeJob({ ...job, engine });
    const history = await j.trainer.fit();
    runs.push({ engine: j.trainer.engine, weights: weightsOf(j), history, job: j });
    j.trainer.dispose();
  }
  const [ort, tfjs] = runs;
  return { ort, tfjs, ...maxRelDiff(ort.weights, tfjs.weights) };
}

describe('trainer on ORT vs tfjs: same weights after the same steps', () => {
  const models = [
    { name: 'Fashion CNN', graph: () => fashion, data: () => fashionData },
    { name: 'ResNet-style', graph: () => resnetStyle({ size: 16, width: 8 }).graph, data: () => randomDataset(resnetStyle({ size: 16, width: 8 }).graph, 64, 10, 3) },
  ];
  for (const m of models)
    for (const [opt, optimizer] of [['SGD Nesterov', SGD], ['Adam', ADAM]] as const)
      it(`${m.name}, ${opt} + weight decay + LR schedule, 2 epochs: weights within 1e-3`, async () => {
        const r = await both({ graph: m.graph, train: m.data(), config: { batch_size: 32, epochs: 2, seed: 3, optimizer } });
        expect(r.ort.engine).toBe('ort');
        expect(r.tfjs.engine).toBe('tfjs');
        console.log(`${m.name} ${opt}: losses ORT ${r.ort.history.map((h) => h.loss.toFixed(5))} tfjs ${r.tfjs.history.map((h) => h.loss.toFixed(5))}; weights: worst tensor ${r.diff.toExponential(2)} (${r.where}), worst element ${r.element.toExponential(2)}`);
        for (const [i, h] of r.ort.history.entries()) expect(Math.abs(h.loss - r.tfjs.history[i].loss)).toBeLessThan(1e-3);
        expect(r.ort.history[1].lr).toBe(r.tfjs.history[1].lr);
        expect(r.diff).toBeLessThan(1e-3);
        // the weights moved (the comparison is not of two untouched models)
        const moved = maxRelDiff(r.ort.weights, weightsOf(await makeJob({ graph: m.graph, train: m.data(), config: {}, engine: 'tfjs' })));
        expect(moved.diff).toBeGreaterThan(1e-3);
      }, 300_000);
});

describe('losses on ORT vs tfjs', () => {
  const digitsJob = async (compression?: object) => ({ graph: () => digitsCnn().graph, train: await digits(128), config: { batch_size: 32, epochs: 2, seed: 1, optimizer: SGD, ...(compression ? { compression } : {}) } });

  it('MSE against float targets (one-hot × 2): same losses and weights', async () => {
    const d = await digits(128);
    const ids = d.y!.data as Int32Array;
    const targets = new Float32Array(ids.length * 10);
    ids.forEach((c, i) => (targets[i * 10 + c] = 2));
    const train = new Dataset(d.x, { dtype: 'float32', shape: [ids.length, 10], data: targets });
    const r = await both({ graph: () => digitsCnn().graph, train, config: { batch_size: 32, epochs: 2, seed: 1, optimizer: SGD }, loss: taskLoss('mse', 'logits') });
    expect(r.ort.engine).toBe('ort');
    console.log(`MSE: ORT ${r.ort.history.map((h) => h.loss.toFixed(6))} tfjs ${r.tfjs.history.map((h) => h.loss.toFixed(6))}; weights ${r.diff.toExponential(2)}`);
    for (const [i, h] of r.ort.history.entries()) expect(Math.abs(h.taskLoss - r.tfjs.history[i].taskLoss)).toBeLessThan(1e-4);
    expect(r.diff).toBeLessThan(1e-3);
  }, 120_000);

  for (const kd of [
    { algorithm: 'knowledge_distillation', type: 'softmax', temperature: 2, scale: 1.5 },
    { algorithm: 'knowledge_distillation', type: 'mse', scale: 0.5 },
  ])
    it(`KD ${kd.type}: the teacher on ORT, the term in the training graph; same compression loss and weights`, async () => {
      const r = await both(await digitsJob([kd]));
      expect(r.ort.engine).toBe('ort');
      console.log(`KD ${kd.type}: compression loss ORT ${r.ort.history.map((h) => h.compressionLoss.toFixed(6))} tfjs ${r.tfjs.history.map((h) => h.compressionLoss.toFixed(6))}; weights ${r.diff.toExponential(2)}`);
      for (const [i, h] of r.ort.history.entries()) {
        expect(h.compressionLoss).toBeGreaterThan(0);
        expect(Math.abs(h.compressionLoss - r.tfjs.history[i].compressionLoss)).toBeLessThan(1e-4);
        expect(Math.abs(h.taskLoss - r.tfjs.history[i].taskLoss)).toBeLessThan(1e-4);
      }
      expect(r.diff).toBeLessThan(1e-3);
    }, 120_000);

  it('live tensor count stays flat across 60 ORT steps with KD', async () => {
    const j = await makeJob({ ...(await digitsJob([{ algorithm: 'knowledge_distillation', type: 'softmax' }])), train: await digits(240), engine: 'ort', config: { batch_size: 4, epochs: 1, optimizer: SGD, compression: [{ algorithm: 'knowledge_distillation', type: 'softmax' }] } });
    const counts: number[] = [];
    j.trainer.o.onBatchEnd = () => counts.push(tf.memory().numTensors);
    await j.trainer.fit();
    expect(counts.length).toBe(60);
    console.log(`live tensors after step 2: ${counts[1]}, after step 60: ${counts[59]}`);
    expect(counts[59]).toBe(counts[1]);
    j.trainer.dispose();
  }, 120_000);
});

describe('compression nodes on ORT', () => {
  it('magnitude sparsity (Mask nodes, masks fed each step, updated by the schedule): same weights and masks as tfjs', async () => {
    const compression = [{ algorithm: 'magnitude_sparsity', sparsity_init: 0.3, params: { schedule: 'multistep', multistep_steps: [1], multistep_sparsity_levels: [0.3, 0.6] } }];
    const r = await both({ graph: () => digitsCnn().graph, train: await digits(128), config: { batch_size: 32, epochs: 2, seed: 1, optimizer: SGD, compression } });
    expect(r.ort.engine).toBe('ort');
    expect(r.ort.job.created.model.commands().every((c) => c.node)).toBe(true);
    const stats = (j: typeof r.ort) => j.job.created.controller.statistics().toString();
    console.log(`magnitude sparsity: losses ORT ${r.ort.history.map((h) => h.loss.toFixed(5))} tfjs ${r.tfjs.history.map((h) => h.loss.toFixed(5))}; weights ${r.diff.toExponential(2)}`);
    expect(stats(r.ort)).toBe(stats(r.tfjs));
    for (const [i, h] of r.ort.history.entries()) expect(Math.abs(h.loss - r.tfjs.history[i].loss)).toBeLessThan(1e-4);
    expect(r.diff).toBeLessThan(1e-3);
  }, 120_000);

  it('INT8 QAT (FakeQuantize nodes, trainable ranges) + KD: same losses, weights and quantizer ranges as tfjs', async () => {
    const compression = [
      { algorithm: 'quantization', initializer: { range: { num_init_samples: 64 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
      { algorithm: 'knowledge_distillation', type: 'softmax', temperature: 2 },
    ];
    // SGD: with Adam the conv bias before BN (zero gradient up to rounding) takes full steps from float noise
    const r = await both({ graph: () => digitsCnn().graph, train: await digits(128), config: { batch_size: 32, epochs: 2, seed: 1, optimizer: SGD, compression } });
    expect(r.ort.engine).toBe('ort');
    expect(r.ort.job.created.controller.compressionVariables().length).toBeGreaterThan(0);
    console.log(`QAT + KD: losses ORT ${r.ort.history.map((h) => h.loss.toFixed(5))} tfjs ${r.tfjs.history.map((h) => h.loss.toFixed(5))}; weights ${r.diff.toExponential(2)} (${r.where})`);
    for (const [i, h] of r.ort.history.entries()) expect(Math.abs(h.loss - r.tfjs.history[i].loss)).toBeLessThan(1e-3);
    expect(r.diff).toBeLessThan(1e-3);
  }, 300_000);
});
