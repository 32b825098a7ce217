/**
 * The ORT trainer's host mode: with quantization (or no compression) the parameters, running statistics
 * and optimizer slots live in Float32Arrays between sync points — the variables are written at the
 * epoch end (before evaluation, callbacks, checkpoints) and on `syncVariables()`, not at each step — and
 * the results equal the tfjs engine's, also with gradient accumulation (batch_multiplier). Every
 * algorithm runs in host mode (ort-host-sync.test.ts compares each with the per-step sync); the per-step
 * sync is asked for with `ortSync: 'per-step'` and says so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { digitsCnn } from './helpers.js';
import { makeJob, maxRelDiff, randomDataset, weightsOf } from './ort-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const graph = () => digitsCnn().graph;
const train = randomDataset(graph(), 96, 10, 7);
const SGD = { type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0.9 }, weight_decay: 1e-4 };
const QUANT = { algorithm: 'quantization', initializer: { range: { num_init_samples: 32 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } };

describe('ORT trainer host mode', () => {
  it('QAT: variables stay put during the epoch, move on syncVariables() and at the epoch end', async () => {
    const seen: { mode?: string; start?: Record<string, number[]>; midBefore?: Record<string, number[]>; midAfter?: Record<string, number[]> } = {};
    const j = await makeJob({
      graph,
      train,
      engine: 'ort',
      config: { batch_size: 32, epochs: 1, seed: 1, optimizer: SGD, compression: QUANT },
      options: {
        onEpochStart: () => {
          seen.mode = j.trainer.ortParameters?.mode;
          seen.start = weightsOf(j);
        },
        onBatchEnd: (e) => {
          if (e.batch !== 1) return;
          seen.midBefore = weightsOf(j);
          j.trainer.syncVariables();
          seen.midAfter = weightsOf(j);
        },
      },
    });
    await j.trainer.fit();
    expect(seen.mode).toBe('host');
    expect(maxRelDiff(seen.midBefore!, seen.start!).diff).toBe(0); // two steps taken, nothing written yet
    expect(maxRelDiff(seen.midAfter!, seen.start!).diff).toBeGreaterThan(1e-4);
    expect(maxRelDiff(weightsOf(j), seen.midAfter!).diff).toBeGreaterThan(1e-5); // the third step, written at the end
    expect(j.trainer.ortParameters).toBeUndefined(); // the session is closed after fit()
    j.trainer.dispose();
  }, 300_000);

  it('batch_multiplier 2 (staged params, quantizers still off: Adam, two batches per step): same weights and slots as tfjs (1e-6)', async () => {
    const config = {
      batch_size: 16,
      epochs: 2,
      seed: 1,
      compression: { ...QUANT, params: { batch_multiplier: 2, activations_quant_start_epoch: 5, weights_quant_start_epoch: 5, base_lr: 3e-3 } },
    };
    const runs = [];
    for (const engine of ['ort', 'tfjs'] as const) {
      const j = await makeJob({ graph: () => digitsCnn({ bn: false }).graph, train, engine, config });
      await j.trainer.fit();
      const slots = j.trainer.optimizer.getState();
      runs.push({ engine: j.trainer.engine, weights: weightsOf(j), steps: slots.steps, moments: Object.fromEntries(Object.entries(slots.slots.exp_avg).map(([i, s]) => [i, Array.from(s.data)])) });
      j.trainer.dispose();
    }
    const [ort, tfjs] = runs;
    expect(ort.engine).toBe('ort');
    expect(ort.steps).toBe(6); // 96 / 16 = 6 batches per epoch, 3 steps per epoch, 2 epochs
    expect(ort.steps).toBe(tfjs.steps);
    expect(maxRelDiff(ort.weights, tfjs.weights).diff).toBeLessThan(1e-6);
    expect(maxRelDiff(ort.moments, tfjs.moments).diff).toBeLessThan(1e-5);
  }, 300_000);

  it('magnitude sparsity trains in host mode too; ortSync per-step asks for the reference path and says so', async () => {
    const modes: ({ mode: string; reason?: string } | undefined)[] = [];
    for (const ortSync of ['host', 'per-step'] as const) {
      const j = await makeJob({
        graph,
        train,
        engine: 'ort',
        config: { batch_size: 32, epochs: 1, seed: 1, optimizer: SGD, compression: [{ algorithm: 'magnitude_sparsity', sparsity_init: 0.3 }] },
        options: { ortSync, onEpochStart: () => modes.push(j.trainer.ortParameters) },
      });
      await j.trainer.fit();
      j.trainer.dispose();
    }
    expect(modes).toEqual([{ mode: 'host' }, { mode: 'per-step', reason: 'per-step sync was asked for' }]);
  }, 300_000);
});
