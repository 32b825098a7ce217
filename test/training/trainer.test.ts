import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { CheckpointError, Trainer, TrainingConfigError, readTrainingCheckpoint, softmaxCrossEntropy, trainingSettings } from '../../src/training/index.js';
import { digits, digitsCnn } from './helpers.js';
import { makeRun, maxAbsDiff, snapshot } from './run-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-trainer-'));
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SGD = { batch_size: 32, epochs: 2, seed: 5, optimizer: { type: 'sgd', base_lr: 0.1, optimizer_params: { momentum: 0.9, nesterov: true }, weight_decay: 1e-4 } };

describe('trainer', () => {
  it('trains the digits CNN: loss falls, accuracy rises, epochs recorded, evaluation picks the best checkpoint', async () => {
    const evals: number[] = [];
    const run = await makeRun({ config: { ...SGD, epochs: 3 }, samples: 512, checkpointDir: join(dir, 'basic'), hooks: { evaluate: (e) => (evals.push(e), [0.5, 0.7, 0.6][e]) } });
    const hist = await run.trainer.fit();
    expect(hist.map((h) => h.epoch)).toEqual([0, 1, 2]);
    expect(evals).toEqual([0, 1, 2]);
    expect(hist[2].taskLoss).toBeLessThan(hist[0].taskLoss * 0.6);
    expect(hist[2].metric!).toBeGreaterThan(0.8);
    const best = readTrainingCheckpoint(join(dir, 'basic', 'best.ckpt'));
    const last = readTrainingCheckpoint(join(dir, 'basic', 'last.ckpt'));
    expect(best.meta.position).toMatchObject({ epoch: 2, batch: 0 });
    expect(last.meta.position).toMatchObject({ epoch: 3, batch: 0, globalStep: 48 });
    expect(last.meta.best.metric).toBe(0.7);
    run.trainer.dispose();
  });

  it('live tensor count stays flat across 200 training steps (INT8 quantization + KD, gradient accumulation)', async () => {
    const run = await makeRun({
      config: { batch_size: 4, epochs: 1, optimizer: { type: 'adam', base_lr: 1e-3 }, compression: [{ algorithm: 'quantization', initializer: { range: { num_init_samples: 32 } } }, { algorithm: 'knowledge_distillation', type: 'softmax', temperature: 2 }] },
      samples: 800,
    });
    run.trainer.o.settings.batchMultiplier = 2;
    const counts: number[] = [];
    run.trainer.o.onBatchEnd = () => counts.push(tf.memory().numTensors);
    await run.trainer.fit();
    expect(counts.length).toBe(200);
    console.log(`live tensors after step 2: ${counts[1]}, after step 200: ${counts[199]}`);
    expect(counts[199]).toBe(counts[1]);
    expect(run.trainer.history[0].compressionLoss).toBeGreaterThan(0);
    expect(run.controller.compressionVariables().length).toBeGreaterThan(0);
    run.trainer.dispose();
  });

  it('batch_multiplier accumulates (sums) the gradients of that many batches into one optimizer step', async () => {
    const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, batch_size: 16, epochs: 1, optimizer: { type: 'sgd', base_lr: 0.05, optimizer_params: {}, weight_decay: 0 } });
    const train = await digits(32);
    const { graph } = digitsCnn({ bn: false });
    const model = new CompressedModel(graph, new Engine(graph));
    const settings = { ...trainingSettings(config), batchMultiplier: 2 };
    const ctrl = (await makeRun({ config: {}, samples: 1 })).controller;
    let steps = 0;
    const t = new Trainer({ model, controller: ctrl, train, settings, loss: (o, y) => softmaxCrossEntropy(o.logits, y!), onBatchEnd: () => steps++ });
    // by hand: both gradients at the initial weights, one update with their sum
    const ref = new Engine(digitsCnn({ bn: false }).graph);
    const vars = ref.trainableVariables();
    const sum: tf.Tensor[] = vars.map((v) => tf.zerosLike(v));
    for (const b of train.batches(16, { shuffleSeed: t.epochSeed(0) })) {
      const x = tf.tensor(b.x.data as Float32Array, b.x.shape);
      const y = tf.tensor(b.y!.data as Int32Array, b.y!.shape, 'int32');
      const { grads } = tf.variableGrads(() => softmaxCrossEntropy(ref.run({ input: x }, { training: true }).logits, y), vars);
      vars.forEach((v, i) => { const n = tf.add(sum[i], grads[v.name]); sum[i].dispose(); sum[i] = n; });
      tf.dispose([x, y, ...Object.values(grads)]);
    }
    vars.forEach((v, i) => v.assign(tf.tidy(() => tf.sub(v, tf.mul(sum[i], 0.05)))));
    await t.fit();
    expect(steps).toBe(2);
    expect(t.position.globalStep).toBe(1);
    const got = model.trainableVariables().flatMap((v) => Array.from(v.dataSync()));
    const want = vars.flatMap((v) => Array.from(v.dataSync()));
    expect(Math.max(...got.map((g, i) => Math.abs(g - want[i])))).toBeLessThan(1e-6);
    t.dispose();
  });

  it('resume after a crash in the middle of epoch 2 ends with the same weights as an uninterrupted run', async () => {
    const config = { ...SGD, epochs: 3, compression: [{ algorithm: 'knowledge_distillation', type: 'mse', scale: 0.5 }] };
    const full = await makeRun({ config, samples: 256 });
    await full.trainer.fit();
    const expected = snapshot(full);
    const cdir = join(dir, 'crash');
    const crashed = await makeRun({
      config, samples: 256, checkpointDir: cdir, checkpointEverySteps: 3,
      hooks: { onBatchEnd: (e) => { if (e.epoch === 1 && e.batch === 4) throw new Error('simulated crash'); } },
    });
    await expect(crashed.trainer.fit()).rejects.toThrow('simulated crash');
    const ckpt = readTrainingCheckpoint(join(cdir, 'last.ckpt'));
    expect(ckpt.meta.position).toEqual({ epoch: 1, batch: 4, globalStep: 12 }) // 8 steps in epoch 0, saved every 3rd step;
    const resumed = await makeRun({ config, samples: 256, checkpointDir: cdir, resume: join(cdir, 'last.ckpt') });
    expect(resumed.controller.scheduler.currentEpoch).toBe(1);
    await resumed.trainer.fit();
    expect(maxAbsDiff(snapshot(resumed), expected)).toBeLessThanOrEqual(1e-6);
    expect(resumed.trainer.history.map((h) => h.epoch)).toEqual([0, 1, 2]);
    [full, crashed, resumed].forEach((r) => r.trainer.dispose());
  });

  it('checkpoint errors: another seed, another model, corrupt, truncated, missing, not a checkpoint', async () => {
    const cdir = join(dir, 'errors');
    const run = await makeRun({ config: { ...SGD, epochs: 1 }, samples: 64, checkpointDir: cdir });
    await run.trainer.fit();
    const path = join(cdir, 'last.ckpt');
    const other = await makeRun({ config: { ...SGD, seed: 6 }, samples: 64 });
    expect(() => other.trainer.restore(readTrainingCheckpoint(path))).toThrow(/seed 5 .* seed 6/);
    const bytes = readFileSync(path);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 100] ^= 1;
    writeFileSync(join(cdir, 'flip.ckpt'), flipped);
    expect(() => readTrainingCheckpoint(join(cdir, 'flip.ckpt'))).toThrow(CheckpointError);
    expect(() => readTrainingCheckpoint(join(cdir, 'flip.ckpt'))).toThrow('checksum mismatch');
    writeFileSync(join(cdir, 'half.ckpt'), bytes.subarray(0, bytes.length >> 1));
    expect(() => readTrainingCheckpoint(join(cdir, 'half.ckpt'))).toThrow('truncated or corrupt');
    expect(() => readTrainingCheckpoint(join(cdir, 'nope.ckpt'))).toThrow('no such file');
    writeFileSync(join(cdir, 'text.ckpt'), 'hello');
    expect(() => readTrainingCheckpoint(join(cdir, 'text.ckpt'))).toThrow('not an nncf-ts checkpoint');
    // a model with other weights
    const { graph } = digitsCnn({ channels: 6 });
    const model = new CompressedModel(graph, new Engine(graph));
    const ctrl = run.controller;
    const t = new Trainer({ model, controller: ctrl, train: run.train, settings: run.trainer.o.settings, loss: (o, y) => softmaxCrossEntropy(o.logits, y!) });
    expect(() => t.restore(readTrainingCheckpoint(path))).toThrow(/shape/);
    expect(existsSync(path)).toBe(true);
    expect(() => t.checkpoint('x')).toThrow(TrainingConfigError);
    expect(() => new Trainer({ ...run.trainer.o, inputName: 'image' })).toThrow('"image" is not an input of the model');
  });
});
