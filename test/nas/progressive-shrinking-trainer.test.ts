/**
 * Progressive shrinking through the Trainer on ONNX Runtime (issue 16): the BatchNorm running statistics
 * of the channels a narrower subnet switches off stay as they were (NNCF trims the BN to the active
 * channels); a checkpoint written in the middle of stage 2 resumes to the uninterrupted run's weights,
 * stage, subnets, channel order and LRs; knowledge distillation from the full supernet
 * (`bootstrapNAS.training.compression`) agrees between ORT and the tfjs engine, and its errors.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distillationParams, NasScheduleError, type ElasticWidthHandler } from '../../src/algorithms/nas/index.js';
import { CompressedModel, type CompressionState } from '../../src/compression/index.js';
import { Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { readTrainingCheckpoint, taskLoss, Trainer, trainingSettings, type BatchEvent } from '../../src/training/index.js';
import { progressiveShrinkingOnResnet } from './nas-models.js';

beforeAll(async () => {
  await initBackend('wasm');
});
const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-nas-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 8;
const data = () =>
  new Dataset(
    { dtype: 'float32', shape: [N, 3, 8, 8], data: Float32Array.from({ length: N * 192 }, (_, i) => Math.sin(i * 0.731) + 0.3 * Math.cos(i * 0.117)) },
    { dtype: 'int32', shape: [N], data: Int32Array.from({ length: N }, (_, i) => i % 3) },
  );

const WIDTH = { min_width: 2, width_step: 2, max_num_widths: 3 };
const BLOCK = [['stem/Relu', 'layer1.0/Relu']];

const build = progressiveShrinkingOnResnet;

const weightsOf = (m: CompressedModel) =>
  Object.fromEntries(
    m.engine.weights().map((w) => {
      const t = m.engine.getWeight(w.name);
      const v = Array.from(t.dataSync() as Float32Array);
      t.dispose();
      return [w.name, v];
    }),
  );

describe('BatchNorm running statistics of inactive channels', () => {
  it('a narrower subnet trained on ORT leaves the running mean/var of its switched-off channels as they were; active ones move', async () => {
    const training = {
      progressivity_of_elasticity: ['width'],
      elasticity: { available_elasticity_dims: ['width'], width: WIDTH },
      schedule: { list_stage_descriptions: [{ train_dims: ['width'], epochs: 1, init_lr: 0.05, width_indicator: 3 }] },
    };
    const { model, config, controller, handler } = build(training, { stepsPerEpoch: 4 });
    const statNames = ['stem.bn.mean', 'stem.bn.var', 'layer2.0.conv1.bn.mean', 'layer2.0.conv1.bn.var'];
    const read = () => Object.fromEntries(statNames.map((n) => [n, weightsOf(model)[n]]));
    const snapshots = [read()];
    const keeps: Map<string, Uint8Array>[] = [];
    const before = tf.memory().numTensors;
    const t = new Trainer({
      model, controller, train: data(), settings: { ...trainingSettings(config), epochs: 1 }, loss: taskLoss('cross_entropy', 'logits'), engine: 'ort', threads: 1,
      onBatchEnd: () => {
        t.syncVariables(); // host mode: the statistics are written to the variables at sync points only
        // the subnet of this step is still active: the next one is drawn at the next step's start
        keeps.push(new Map((handler.dims.width as ElasticWidthHandler).inactiveRunningStats().map((s) => [s.name, Uint8Array.from(s.keep)])));
        snapshots.push(read());
      },
    });
    await t.fit();
    expect(t.engine).toBe('ort');
    let frozenSeen = 0;
    let activeMoved = 0;
    keeps.forEach((keep, step) => {
      for (const name of statNames) {
        const k = keep.get(name);
        const [prev, now] = [snapshots[step][name], snapshots[step + 1][name]];
        prev.forEach((v, c) => {
          if (k && !k[c]) {
            frozenSeen++;
            expect(now[c], `${name}[${c}] step ${step}`).toBe(v);
          } else if (Math.abs(now[c] - v) > 1e-7) activeMoved++;
        });
      }
    });
    // the seeded draws narrow both groups in some step, and the active channels' statistics do update
    expect(frozenSeen).toBeGreaterThan(4);
    expect(activeMoved).toBeGreaterThan(10);
    t.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    handler.dispose();
    model.engine.dispose();
  }, 120_000);
});

describe('kill and resume in the middle of stage 2 (ORT)', () => {
  it('the checkpoint at stage 2, batch 2 resumes to the same weights, stage, subnets, channel order and LRs (≤ 1e-6)', async () => {
    const training = {
      progressivity_of_elasticity: ['depth', 'width'],
      elasticity: { available_elasticity_dims: ['depth', 'width'], width: WIDTH, depth: { skipped_blocks: BLOCK } },
      schedule: {
        list_stage_descriptions: [
          { train_dims: ['depth'], epochs: 1, init_lr: 0.05 },
          { train_dims: ['depth', 'width'], epochs: 2, init_lr: 0.02, width_indicator: 3, reorg_weights: true },
        ],
      },
    };
    const run = async (opts: { checkpointDir?: string; resume?: string; stopAfter?: number }) => {
      const b = build(training, { stepsPerEpoch: 4 });
      const events: { epoch: number; batch: number; lr: number; config: string; stage: number }[] = [];
      const trainer = new Trainer({
        model: b.model, controller: b.trainController, train: data(), settings: { ...trainingSettings(b.config), epochs: 3 }, loss: taskLoss('cross_entropy', 'logits'),
        engine: 'ort', threads: 1, checkpointDir: opts.checkpointDir, checkpointEverySteps: opts.checkpointDir ? 1 : undefined,
        getCompressionState: (): CompressionState => ({ builder_state: {}, ctrl_state: b.trainController.getState() }),
        onBatchEnd: (e: BatchEvent) => events.push({ epoch: e.epoch, batch: e.batch, lr: e.lr, config: JSON.stringify(b.handler.activeConfig()), stage: b.controller.scheduler.stageIndex }),
        onCheckpoint: (path, pos) => {
          if (pos.epoch === 1 && pos.batch === 2) copyFileSync(path, join(dir, 'mid-stage2.ckpt'));
        },
      });
      if (opts.resume) {
        const ckpt = readTrainingCheckpoint(opts.resume);
        b.trainController.loadState(ckpt.compressionState!.ctrl_state as never);
        trainer.restore(ckpt);
      }
      await trainer.fit();
      expect(trainer.engine).toBe('ort');
      const out = { events, weights: weightsOf(b.model), order: (b.handler.dims.width as unknown as { channelOrder(): Int32Array[] }).channelOrder().map((o) => Array.from(o)), stage: b.controller.scheduler.stageIndex };
      trainer.dispose();
      b.handler.dispose();
      b.model.engine.dispose();
      return out;
    };
    const whole = await run({ checkpointDir: join(dir, 'whole') });
    const resumed = await run({ resume: join(dir, 'mid-stage2.ckpt') });
    // resumed at epoch 1 (stage 2's first epoch), batch 2: the rest of the run, step for step
    expect(resumed.events[0]).toMatchObject({ epoch: 1, batch: 2 });
    expect(resumed.events).toEqual(whole.events.slice(6));
    expect(new Set(whole.events.slice(4).map((e) => e.config)).size).toBeGreaterThan(1);
    expect(resumed.stage).toBe(1);
    // reorg_weights ran at stage 2's start in the killed run only: the order comes from the checkpoint
    expect(resumed.order).toEqual(whole.order);
    expect(whole.order.some((o) => o.some((v, i) => v !== i))).toBe(true);
    let diff = 0;
    for (const [name, w] of Object.entries(whole.weights)) w.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - resumed.weights[name][i]))));
    expect(diff).toBeLessThanOrEqual(1e-6);
  }, 240_000);
});

describe('knowledge distillation from the supernet (bootstrapNAS.training.compression)', () => {
  const training = (kd: object) => ({
    progressivity_of_elasticity: ['width'],
    elasticity: { available_elasticity_dims: ['width'], width: WIDTH },
    schedule: { list_stage_descriptions: [{ train_dims: ['width'], epochs: 1, init_lr: 0.05, width_indicator: 3 }] },
    compression: kd,
  });

  it('the teacher is the full supernet; ORT and the tfjs engine give the same task and KD losses per step (1e-4); the stage LR still applies', async () => {
    const run = async (engine: 'ort' | 'tfjs') => {
      const b = build(training([{ algorithm: 'knowledge_distillation', type: 'softmax', temperature: 2, scale: 0.5 }]), { stepsPerEpoch: 4 });
      expect(b.trainController.name).toBe('composite');
      expect(b.distillation!.params).toEqual({ type: 'softmax', scale: 0.5, temperature: 2 });
      const events: BatchEvent[] = [];
      const t = new Trainer({ model: b.model, controller: b.trainController, train: data(), settings: { ...trainingSettings(b.config), epochs: 1 }, loss: taskLoss('cross_entropy', 'logits'), engine, threads: 1, onBatchEnd: (e) => events.push(e) });
      await t.fit();
      expect(t.engine).toBe(engine);
      // the teacher kept the supernet's original weights (frozen), the student trained
      const teacher = b.distillation!.teacher;
      const fc = teacher.getWeight('fc.weight');
      const original = b.model.graph.initializers.get('fc.weight')!.values as Float32Array;
      expect(Array.from(fc.dataSync() as Float32Array)).toEqual(Array.from(original));
      fc.dispose();
      const out = { events, configs: events.map(() => JSON.stringify(b.handler.activeConfig())) };
      t.dispose();
      b.trainController.dispose();
      b.model.engine.dispose();
      return out;
    };
    const ort = await run('ort');
    const tfjs = await run('tfjs');
    expect(ort.events.length).toBe(4);
    // the composite (progressive shrinking + KD) still drives the stage LR: cosine over the stage's 4 steps
    const lrs = [1, 2, 3, 4].map((t) => 0.5 * 0.05 * (1 + Math.cos((Math.PI * t) / 4)));
    expect(ort.events.map((e) => e.lr)).toEqual(lrs.map((v) => expect.closeTo(v, 9)));
    ort.events.forEach((e, i) => {
      expect(e.taskLoss).toBeCloseTo(tfjs.events[i].taskLoss, 4);
      expect(e.compressionLoss).toBeCloseTo(tfjs.events[i].compressionLoss, 4);
    });
    // a subnet narrower than the teacher disagrees with it: the KD term is positive
    expect(ort.events.some((e) => e.compressionLoss > 1e-4)).toBe(true);
  }, 180_000);

  it('refuses what it cannot build, naming the key', () => {
    expect(distillationParams(undefined)).toBeUndefined();
    expect(distillationParams({ algorithm: 'knowledge_distillation', type: 'mse' })).toEqual({ type: 'mse', scale: 1, temperature: 1 });
    expect(() => distillationParams({ algorithm: 'quantization' } as never)).toThrow(/bootstrapNAS.training.compression: algorithm "quantization" is not supported during progressive shrinking/);
    expect(() => distillationParams([{ algorithm: 'knowledge_distillation', type: 'mse' }, { algorithm: 'knowledge_distillation', type: 'mse' }])).toThrow(/one knowledge_distillation entry at most/);
    expect(() => distillationParams({ algorithm: 'knowledge_distillation', type: 'kl' } as never)).toThrow(/compression.type must be "mse" or "softmax"/);
    expect(() => distillationParams({ algorithm: 'knowledge_distillation', type: 'mse', temperature: 2 })).toThrow(/temperature is only used by type "softmax"/);
    expect(() => distillationParams({ algorithm: 'knowledge_distillation', type: 'softmax', scale: -1 })).toThrow(/scale must be a non-negative number/);
    expect(() => distillationParams({ algorithm: 'knowledge_distillation', type: 'softmax', temperature: 0 })).toThrow(/temperature must be a positive number/);
    // the config validator refuses a non-KD algorithm there first
    expect(() => build(training({ algorithm: 'magnitude_sparsity' }), { stepsPerEpoch: 1 })).toThrow(/bootstrapNAS.training.compression.algorithm: expected one of "knowledge_distillation"/);
    expect(NasScheduleError).toBeDefined();
  });
});
