/**
 * Host mode for every algorithm: the ORT trainer keeps parameters, statistics and optimizer slots
 * host-side and syncs the tf.Variables only around the controller hooks that use them
 * (controller.hostSync): per-step magnitude thresholds (read weights), RB and movement loss gradients
 * (read compression variables), movement's init threshold and structured-mask freeze (read/write
 * scores), binarization's forward init (writes the scale mid-run), pruning's epoch-boundary masks,
 * progressive shrinking's per-step subnets and frozen BN channels. Each runs twice on a tiny model —
 * host mode and the per-step sync reference (`ortSync: 'per-step'`) — and must end with the same
 * weights, compression variables and loss curve (1e-6).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/algorithms/index.js';
import { type CompressionController } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import type { OrtTrainerStep } from '../../src/autodiff/index.js';
import { hostSyncOf, leafControllers } from '../../src/training/controllers.js';
import { HostParams, type HostParam } from '../../src/training/ort-host-params.js';
import { taskLoss, Trainer, trainingSettings } from '../../src/training/index.js';
import { resnetStyle, transformerEncoder } from '../helpers/models.js';
import { seededRandom } from '../helpers/onnx-builder.js';
import { progressiveShrinkingOnResnet } from '../nas/nas-models.js';
import { digitsCnn } from './helpers.js';
import { makeJob, maxRelDiff, randomDataset, weightsOf, type Job } from './ort-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const SGD = { type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0.9 }, weight_decay: 1e-4 };

interface Run {
  modes: (string | undefined)[];
  losses: number[];
  weights: Record<string, number[]>;
  steps: number;
}

/** One job trained with the given sync mode; the ORT parameter mode seen at each epoch start. */
async function run(job: Job, ortSync: 'host' | 'per-step'): Promise<Run> {
  const modes: (string | undefined)[] = [];
  const j = await makeJob({ ...job, engine: 'ort', options: { ...job.options, ortSync, onEpochStart: () => modes.push(j.trainer.ortParameters?.mode) } });
  const live = tf.memory().numTensors;
  const history = await j.trainer.fit();
  const out = { modes, losses: history.map((h) => h.loss), weights: weightsOf(j), steps: j.trainer.optimizer.getState().steps };
  j.trainer.dispose();
  expect(tf.memory().numTensors).toBeLessThanOrEqual(live); // training releases what it made
  j.created.controller.dispose();
  j.created.model.engine.dispose();
  return out;
}

async function compare(job: Job): Promise<{ host: Run; ref: Run }> {
  const host = await run(job, 'host');
  const ref = await run(job, 'per-step');
  expect(host.modes.every((m) => m === 'host')).toBe(true);
  expect(ref.modes.every((m) => m === 'per-step')).toBe(true);
  expect(host.steps).toBe(ref.steps);
  const d = maxRelDiff(host.weights, ref.weights);
  expect(d.diff, `worst tensor ${d.where}`).toBeLessThanOrEqual(1e-6);
  host.losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(ref.losses[i]))));
  return { host, ref };
}

const cnn = () => digitsCnn().graph;
const cnnData = randomDataset(cnn(), 96, 10, 7); // batch 32: 3 steps per epoch

describe('ORT host mode = per-step sync, per algorithm (1e-6)', () => {
  it('magnitude sparsity, per-step polynomial schedule (thresholds from the host weights every step)', async () => {
    const compression = {
      algorithm: 'magnitude_sparsity',
      sparsity_init: 0.1,
      params: { schedule: 'polynomial', sparsity_target: 0.6, sparsity_target_epoch: 2, update_per_optimizer_step: true, steps_per_epoch: 3 },
    };
    const { host } = await compare({ graph: cnn, train: cnnData, config: { batch_size: 32, epochs: 2, seed: 1, optimizer: SGD, compression } });
    expect(host.steps).toBe(6);
  }, 300_000);

  it('magnitude sparsity, per-epoch multistep schedule (masks set at epoch boundaries)', async () => {
    const compression = { algorithm: 'magnitude_sparsity', sparsity_init: 0.1, params: { schedule: 'multistep', multistep_steps: [1, 2], multistep_sparsity_levels: [0.1, 0.4, 0.6] } };
    await compare({ graph: cnn, train: cnnData, config: { batch_size: 32, epochs: 3, seed: 1, optimizer: SGD, compression } });
  }, 300_000);

  it('RB sparsity (loss gradients to the logits, noise draws), Adam', async () => {
    const compression = { algorithm: 'rb_sparsity', sparsity_init: 0.2, params: { schedule: 'polynomial', sparsity_target: 0.5, sparsity_target_epoch: 2 } };
    const { host } = await compare({ graph: cnn, train: randomDataset(cnn(), 64, 10, 7), config: { batch_size: 16, epochs: 2, seed: 1, optimizer: { type: 'adam', base_lr: 0.01 }, compression } });
    expect(host.losses.every(Number.isFinite)).toBe(true);
  }, 300_000);

  it('binarization, activations from epoch 1 (the scale set by a forward mid-run)', async () => {
    const compression = { algorithm: 'binarization', mode: 'xnor', params: { activations_quant_start_epoch: 1, weights_quant_start_epoch: 0 } };
    await compare({ graph: cnn, train: cnnData, config: { batch_size: 32, epochs: 2, seed: 1, optimizer: SGD, compression } });
  }, 300_000);

  it('filter pruning, exponential schedule (masks change at each epoch step)', async () => {
    const graph = () => resnetStyle({ size: 8, width: 8, classes: 3, seed: 4 }).graph;
    const compression = { algorithm: 'filter_pruning', pruning_init: 0.1, params: { schedule: 'exponential', pruning_target: 0.5, pruning_steps: 2 } };
    await compare({ graph, train: randomDataset(graph(), 16, 3, 5), config: { batch_size: 8, epochs: 3, seed: 1, optimizer: SGD, compression } });
  }, 300_000);

  it('movement sparsity: init threshold computed at warm-up start, masks resolved and frozen after it, loss gradients to the scores', async () => {
    const graph = () => transformerEncoder({ seq: 4, dModel: 16, heads: 2, ff: 32, layers: 1 }).graph;
    const rnd = seededRandom(21);
    const n = 16;
    const per = 4 * 16;
    const x = Float32Array.from({ length: n * per }, () => rnd() * 2 - 1);
    const y = Float32Array.from({ length: n * per }, () => rnd() * 2 - 1);
    const train = new Dataset({ dtype: 'float32', shape: [n, 4, 16], data: x }, { dtype: 'float32', shape: [n, 4, 16], data: y });
    const compression = {
      algorithm: 'movement_sparsity',
      params: { warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 50, final_importance_threshold: 0.2, power: 2, steps_per_epoch: 4 },
    };
    const job: Job = { graph, train, loss: taskLoss('mse', 'hidden'), config: { batch_size: 4, epochs: 3, seed: 3, optimizer: { type: 'adam', base_lr: 0.05 }, compression } };
    const { host } = await compare(job);
    expect(host.steps).toBe(12);
  }, 300_000);
});

describe('ORT host mode with progressive shrinking (per-step subnets, frozen BN channels)', () => {
  it('width stage: same weights and running statistics as the per-step sync (1e-6)', async () => {
    const N = 8;
    const data = () =>
      new Dataset(
        { dtype: 'float32', shape: [N, 3, 8, 8], data: Float32Array.from({ length: N * 192 }, (_, i) => Math.sin(i * 0.731) + 0.3 * Math.cos(i * 0.117)) },
        { dtype: 'int32', shape: [N], data: Int32Array.from({ length: N }, (_, i) => i % 3) },
      );
    const training = {
      progressivity_of_elasticity: ['width'],
      elasticity: { available_elasticity_dims: ['width'], width: { min_width: 2, width_step: 2, max_num_widths: 3 } },
      schedule: { list_stage_descriptions: [{ train_dims: ['width'], epochs: 2, init_lr: 0.05, width_indicator: 3 }] },
    };
    const once = async (ortSync: 'host' | 'per-step') => {
      const { model, config, controller, handler } = progressiveShrinkingOnResnet(training, { stepsPerEpoch: 4 });
      const modes: (string | undefined)[] = [];
      const t: Trainer = new Trainer({
        model, controller, train: data(), settings: { ...trainingSettings(config), epochs: 2 }, loss: taskLoss('cross_entropy', 'logits'), engine: 'ort', threads: 1, ortSync,
        onEpochStart: () => modes.push(t.ortParameters?.mode),
      });
      const history = await t.fit();
      const weights = Object.fromEntries(model.engine.weights().map((w) => [w.name, Array.from(w.variable.dataSync())]));
      t.dispose();
      handler.dispose();
      model.engine.dispose();
      return { modes, losses: history.map((h) => h.loss), weights };
    };
    const host = await once('host');
    const ref = await once('per-step');
    expect(host.modes).toEqual(['host', 'host']);
    expect(ref.modes).toEqual(['per-step', 'per-step']);
    const d = maxRelDiff(host.weights, ref.weights);
    expect(d.diff, `worst tensor ${d.where}`).toBeLessThanOrEqual(1e-6);
    host.losses.forEach((l, i) => expect(l).toBeCloseTo(ref.losses[i], 6));
  }, 300_000);
});

describe('controller.hostSync', () => {
  it('says per algorithm what a step and the loss touch; a controller that does not say is synced around every step', () => {
    const bare = { name: 'custom' } as unknown as CompressionController;
    expect(hostSyncOf(bare)).toEqual({ step: 'writes', loss: true, feeds: true });
  });

  it('movement: only the steps that compute the init threshold or resolve the masks touch the scores', async () => {
    const graph = () => transformerEncoder({ seq: 4, dModel: 16, heads: 2, ff: 32, layers: 1 }).graph;
    const g = graph();
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 4, 16] },
      compression: { algorithm: 'movement_sparsity', params: { warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 1, final_importance_threshold: 0.2, steps_per_epoch: 2 } },
    });
    const { createCompressedModel } = await import('../../src/api.js');
    const { controller, model } = await createCompressedModel(g, config);
    const movement = leafControllers(controller)[0][0];
    const seen: string[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      controller.scheduler.epochStep();
      for (let s = 0; s < 2; s++) {
        seen.push(hostSyncOf(movement).step);
        controller.scheduler.step();
      }
    }
    // steps 0–1 before warm-up; step 2 starts it (init threshold from the scores); step 4 is the first POST step
    expect(seen).toEqual(['none', 'none', 'writes', 'none', 'writes', 'none']);
    expect(movement.name).toBe('movement_sparsity');
    expect(hostSyncOf(movement).loss).toBe(true);
    controller.dispose();
    model.engine.dispose();
  });
});

describe('HostParams error paths', () => {
  const param = (variable: tf.Variable, index: number): HostParam => ({
    name: `p${index}`,
    variable,
    index,
    lrMultiplier: 1,
    toHost: (t) => Float32Array.from(t.dataSync() as Float32Array),
    fromHost: (v) => tf.tensor(v, variable.shape),
  });

  it('a loss gradient to a variable the training graph does not read is an error naming it (and the gradients are released)', () => {
    const a = tf.variable(tf.tensor1d([1, 2]));
    const b = tf.variable(tf.tensor1d([3]));
    const step = { parameters: new Map([['p0', new Float32Array([1, 2])]]), state: new Map<string, Float32Array>() } as unknown as OrtTrainerStep;
    const host = new HostParams([param(a, 0)], [], step);
    const live = tf.memory().numTensors;
    expect(() => host.addVariableGradients([tf.tensor1d([0.5, 0.5]), tf.tensor1d([1])])).toThrow(/variable #1.*cannot apply it/);
    expect(tf.memory().numTensors).toBe(live);
    tf.dispose([a, b]);
  });

  it('frozen statistics: a keep list of another length is an error; unknown names are left alone; kept channels restored', () => {
    const state = new Map([['bn.mean', new Float32Array([1, 2, 3])]]);
    const step = { parameters: new Map<string, Float32Array>(), state } as unknown as OrtTrainerStep;
    const host = new HostParams([], [], step);
    expect(() => host.freezeStats([{ name: 'bn.mean', keep: new Uint8Array(2) }])).toThrow(/"bn.mean": 3 values, 2 keep flags/);
    const restore = host.freezeStats([{ name: 'bn.mean', keep: Uint8Array.from([1, 0, 1]) }, { name: 'other', keep: new Uint8Array(1) }]);
    state.set('bn.mean', new Float32Array([7, 8, 9])); // the step's new statistics
    restore();
    expect(Array.from(state.get('bn.mean')!)).toEqual([7, 2, 9]);
  });
});
