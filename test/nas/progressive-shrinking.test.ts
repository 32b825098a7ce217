/**
 * Progressive shrinking (NNCF's BootstrapNASScheduler, StageLRScheduler/GlobalLRScheduler,
 * ProgressiveShrinkingController): stage validation, the LR of every step (hand-computed cosine, with
 * NNCF's counters), sampling every `sample_rate` steps, dims enabled per stage, resume mid-stage
 * drawing the same subnets and LRs, and a two-stage run through the Trainer on ONNX Runtime.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createProgressiveShrinking, NasScheduleError, validateStages, stageFromConfig, cosineLr } from '../../src/algorithms/nas/index.js';
import { CompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { taskLoss, Trainer, trainingSettings, type BatchEvent } from '../../src/training/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** x[N,2,5,5] → stem conv 5×5 (elastic kernel 5/3) + relu (r0) → 3 residual blocks of 3×3 convs → flatten → fc. */
function model() {
  const b = new OnnxBuilder({ opset: 13, seed: 5, name: 'res3' });
  b.input('x', ['N', 2, 5, 5]);
  const conv = (x: string, name: string, cin: number, k = 3) =>
    b.node('Conv', [x, b.randomWeight(`${name}.w`, [4, cin, k, k]), b.uniform(`${name}.b`, [4], -0.1, 0.1)], { kernel_shape: [k, k], pads: [k >> 1, k >> 1, k >> 1, k >> 1] }, { name });
  let r = b.node('Relu', [conv('x', 'stem', 2, 5)], {}, { name: 'r0' });
  for (let k = 1; k <= 3; k++) {
    const h = conv(b.node('Relu', [conv(r, `b${k}a`, 4)], {}, { name: `b${k}/relu` }), `b${k}b`, 4);
    r = b.node('Relu', [b.node('Add', [h, r], {}, { name: `b${k}/add` })], {}, { name: `r${k}` });
  }
  const f = b.node('Flatten', [r], { axis: 1 }, { name: 'flat' });
  b.output(b.node('Gemm', [f, b.randomWeight('fc.w', [3, 100]), b.uniform('fc.b', [3], -0.1, 0.1)], { transB: 1 }, { name: 'fc', outputs: ['logits'] }), ['N', 3]);
  return b.toGraph();
}

const BLOCKS = [['r0', 'r1'], ['r1', 'r2'], ['r2', 'r3']];
const nasSection = (stages: object[], extra: object = {}) => ({
  training: {
    progressivity_of_elasticity: ['kernel', 'depth'],
    schedule: { list_stage_descriptions: stages },
    elasticity: { available_elasticity_dims: ['kernel', 'depth'], depth: { skipped_blocks: BLOCKS } },
    ...extra,
  },
});

function build(stages: object[], stepsPerEpoch: number, extra: object = {}, seed = 3) {
  const g = model();
  const m = new CompressedModel(g, new Engine(g));
  const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 2, 5, 5] }, bootstrapNAS: nasSection(stages, extra) });
  return { m, config, ...createProgressiveShrinking(m, config, { stepsPerEpoch, seed }) };
}

/** Runs the scheduler as the Trainer does; returns per step the LR used and the active config. */
function drive(ctrl: ReturnType<typeof build>['controller'], epochs: number, steps: number) {
  const out: { lr: number; config: string }[] = [];
  for (let e = 0; e < epochs; e++) {
    ctrl.scheduler.epochStep();
    for (let s = 0; s < steps; s++) {
      ctrl.scheduler.step();
      out.push({ lr: ctrl.scheduler.learningRate(), config: JSON.stringify(ctrl.handler.activeConfig()) });
    }
  }
  return out;
}

describe('progressive shrinking schedule', () => {
  it('stage LR: NNCF cosine per stage with its counters (epoch 1 repeats the last position of epoch 0)', () => {
    const { controller, m, handler } = build(
      [{ train_dims: ['kernel'], epochs: 2, init_lr: 0.1, epochs_lr: 2 }, { train_dims: ['kernel', 'depth'], epochs: 1, init_lr: 0.01, depth_indicator: 2 }],
      4,
    );
    const run = drive(controller, 3, 4);
    const lr = (init: number, epochs: number, t: number) => 0.5 * init * (1 + Math.cos((Math.PI * t) / (epochs * 4)));
    const want = [1, 2, 3, 4, 4, 5, 6, 7].map((t) => lr(0.1, 2, t)).concat([1, 2, 3, 4].map((t) => lr(0.01, 1, t)));
    run.forEach((r, i) => expect(r.lr, `step ${i}`).toBeCloseTo(want[i], 12));
    expect(cosineLr(0, 0.1, 2, 4, 4)).toBeCloseTo(0.05, 12);
    // stage 0 trains kernel only: depth disabled (back at its maximum, out of the config)
    expect(run.slice(0, 8).every((r) => !r.config.includes('depth'))).toBe(true);
    // stage 1: depth too, with depth_indicator 2 (the last two blocks of the group may be skipped)
    expect((handler.dims.depth as unknown as { depthIndicator: number }).depthIndicator).toBe(2);
    const depthSets = new Set(run.slice(8).map((r) => JSON.stringify(JSON.parse(r.config).depth)));
    expect([...depthSets].every((s) => ['[]', '[2]', '[1,2]'].includes(s))).toBe(true);
    expect(controller.compressionStage()).toBe(controller.scheduler.isFinalStage() ? 2 : 1);
    expect(controller.scheduler.isFinalStage()).toBe(true);
    handler.dispose();
    m.engine.dispose();
  });

  it('global LR (lr_schedule.params.base_lr): one cosine over all epochs; stages may not set init_lr', () => {
    const { controller, handler, m } = build([{ train_dims: ['kernel'], epochs: 1 }, { train_dims: ['kernel', 'depth'], epochs: 1 }], 2, { lr_schedule: { params: { base_lr: 0.2 } } });
    const run = drive(controller, 2, 2);
    // no reset at stage 1: steps continue (epoch 0: t = 1, 2 — NNCF's step(0) never ran, so the first step is t = 0)
    const lr = (t: number) => 0.5 * 0.2 * (1 + Math.cos((Math.PI * t) / 4));
    // global counters: step 0 → batch 0 (t 0), step 1 → t 1; epoch 1: step 2 − 1·3 = −1 → t = 2 − 1 = 1, then t 2
    expect(run.map((r) => r.lr)).toEqual([lr(0), lr(1), lr(1), lr(2)].map((v) => expect.closeTo(v, 12)));
    handler.dispose();
    m.engine.dispose();
    expect(() => build([{ train_dims: ['kernel'], init_lr: 0.1 }], 2, { lr_schedule: { params: { base_lr: 0.2 } } })).toThrow(/global learning-rate schedule .* cannot set its own/);
  });

  it('sample_rate 2: a new subnet every other step, seeded by step (same seed, same draws)', () => {
    const a = build([{ train_dims: ['kernel', 'depth'], epochs: 1, init_lr: 0.1, sample_rate: 2, depth_indicator: 3 }], 8);
    const sampled: number[] = [];
    a.controller.scheduler.epochStep();
    for (let s = 0; s < 8; s++) {
      const before = a.controller.lastSampled;
      a.controller.scheduler.step();
      if (a.controller.lastSampled !== before) sampled.push(s);
    }
    expect(sampled).toEqual([0, 2, 4, 6]);
    const b = build([{ train_dims: ['kernel', 'depth'], epochs: 1, init_lr: 0.1, sample_rate: 2, depth_indicator: 3 }], 8);
    expect(drive(b.controller, 1, 8)).toEqual(drive(build([{ train_dims: ['kernel', 'depth'], epochs: 1, init_lr: 0.1, sample_rate: 2, depth_indicator: 3 }], 8).controller, 1, 8));
    for (const x of [a, b]) {
      x.handler.dispose();
      x.m.engine.dispose();
    }
  });

  it('resume mid-stage from the controller state: the same subnets and LRs as the uninterrupted run', () => {
    const stages = [{ train_dims: ['kernel'], epochs: 1, init_lr: 0.1 }, { train_dims: ['kernel', 'depth'], epochs: 2, init_lr: 0.05, depth_indicator: 3 }];
    const full = build(stages, 3);
    const whole = drive(full.controller, 3, 3);
    const first = build(stages, 3);
    const c = first.controller;
    c.scheduler.epochStep();
    for (let s = 0; s < 3; s++) c.scheduler.step();
    c.scheduler.epochStep();
    c.scheduler.step(); // one step into stage 1, then "killed"
    const state = JSON.parse(JSON.stringify(c.getState()));
    const resumed = build(stages, 3);
    resumed.controller.loadState(state);
    expect(resumed.handler.activeConfig()).toEqual(first.handler.activeConfig());
    const rest: { lr: number; config: string }[] = [];
    for (let s = 1; s < 3; s++) {
      resumed.controller.scheduler.step();
      rest.push({ lr: resumed.controller.scheduler.learningRate(), config: JSON.stringify(resumed.handler.activeConfig()) });
    }
    resumed.controller.scheduler.epochStep();
    for (let s = 0; s < 3; s++) {
      resumed.controller.scheduler.step();
      rest.push({ lr: resumed.controller.scheduler.learningRate(), config: JSON.stringify(resumed.handler.activeConfig()) });
    }
    expect(rest).toEqual(whole.slice(4));
    for (const x of [full, first, resumed]) {
      x.handler.dispose();
      x.m.engine.dispose();
    }
  });

  it('refuses what NNCF refuses, naming the key', () => {
    const at = (stages: object[], extra: object = {}) => () => build(stages, 2, extra);
    expect(at([{ train_dims: ['width'] }])).toThrow(/list_stage_descriptions\[0\]\.train_dims: elasticity dimension "width" is not enabled/);
    expect(at([{ train_dims: ['kernel'], sample_rate: 0 }])).toThrow(/sample_rate must be a positive integer/);
    expect(at([{ train_dims: ['kernel'], bn_adapt: true }])).toThrow(/bn_adapt, but no data for BatchNorm adaptation/);
    expect(at([{ train_dims: ['kernel'] }], { elasticity: { available_elasticity_dims: ['kernel', 'deep'] } })).toThrow(/"deep" is not an elasticity dimension/);
    expect(at([{ train_dims: ['kernel'] }], { elasticity: { available_elasticity_dims: ['depth'], depth: { skipped_blocks: [['r0']] } } })).toThrow(NasScheduleError);
    // progressivity kernel → depth → width: a stage training kernel and width must train depth too
    const s = [stageFromConfig({ train_dims: ['kernel', 'width'] })];
    expect(() => validateStages(s, ['kernel', 'depth', 'width'], ['kernel', 'depth', 'width'], false)).toThrow(/misses "depth", which violates progressivity_of_elasticity/);
    // ...unless depth is not available
    expect(() => validateStages(s, ['kernel', 'width'], ['kernel', 'depth', 'width'], false)).not.toThrow();
    expect(s[0]).toMatchObject({ init_lr: 3.5e-6, epochs_lr: 1 });
  });
});

describe('progressive shrinking through the Trainer', () => {
  it('two stages on ONNX Runtime: the stage LRs reach the optimizer, each step trains a subnet of its stage, the loss is finite', async () => {
    const n = 8;
    const x = Float32Array.from({ length: n * 50 }, (_, i) => Math.sin(i * 0.37));
    const y = Int32Array.from({ length: n }, (_, i) => i % 3);
    const train = new Dataset({ dtype: 'float32', shape: [n, 2, 5, 5], data: x }, { dtype: 'int32', shape: [n], data: y });
    // depth only: its SkipBlock nodes train on ORT (the elastic kernel has no node form yet)
    const stages = [{ train_dims: ['depth'], epochs: 1, init_lr: 0.05 }, { train_dims: ['depth'], epochs: 1, init_lr: 0.02, depth_indicator: 3 }];
    const { m, config, controller, handler } = build(stages, 2, { progressivity_of_elasticity: ['depth'], elasticity: { available_elasticity_dims: ['depth'], depth: { skipped_blocks: BLOCKS } } });
    const events: BatchEvent[] = [];
    const configs: string[] = [];
    const lines: string[] = [];
    const settings = { ...trainingSettings(config), batchSize: 4, epochs: 2 };
    const before = tf.memory().numTensors;
    const t = new Trainer({ model: m, controller, train, settings, loss: taskLoss('cross_entropy', 'logits'), threads: 1, log: (l) => lines.push(l), onBatchEnd: (e) => {
      events.push(e);
      configs.push(JSON.stringify(handler.activeConfig().depth));
    } });
    await t.fit();
    expect(t.engine, lines.join('\n')).toBe('ort');
    expect(events.map((e) => e.lr)).toEqual([0.05 * 0.5 * (1 + Math.cos(Math.PI / 2)), 0.05 * 0.5 * (1 + Math.cos(Math.PI)), 0.02 * 0.5 * (1 + Math.cos(Math.PI / 2)), 0.02 * 0.5 * (1 + Math.cos(Math.PI))].map((v) => expect.closeTo(v, 9)));
    expect(events.every((e) => Number.isFinite(e.loss))).toBe(true);
    // stage 0 (depth_indicator 1): only the last block may go; stage 1 (3): any suffix of the group
    expect(configs.slice(0, 2).every((c) => ['[]', '[2]'].includes(c))).toBe(true);
    expect(configs.slice(2).every((c) => ['[]', '[2]', '[1,2]', '[0,1,2]'].includes(c))).toBe(true);
    expect(controller.compressionStage()).toBe(2);
    t.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    handler.dispose();
    m.engine.dispose();
  }, 120_000);
});
