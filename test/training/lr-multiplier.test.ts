/**
 * compression_lr_multiplier through the real trainer on a real quantization controller (issue 10, item 4):
 * NNCF scales the gradients of compression parameters once (CompressionParameter hook), so one plain SGD
 * step moves them m times as far — not m² — and leaves the model's own weights exactly as with m = 1.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { makeRun, snapshot } from './run-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const SAMPLES = 64;
/** One epoch of one batch: exactly one SGD step without momentum or weight decay, so update = lr·gradient. */
const ONE_SGD_STEP = { batch_size: SAMPLES, epochs: 1, seed: 3, optimizer: { type: 'sgd', base_lr: 0.01, optimizer_params: { momentum: 0 }, weight_decay: 0 } };
const QUANTIZATION = { algorithm: 'quantization', initializer: { range: { num_init_samples: SAMPLES }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } };

/** Parameter updates of one training step, split into compression parameters (cv*) and model weights. */
async function oneStepUpdates(config: object): Promise<{ compression: number[]; weights: number[]; compressionVariables: number }> {
  const run = await makeRun({ config: { ...ONE_SGD_STEP, ...config }, samples: SAMPLES });
  const before = snapshot(run);
  await run.trainer.fit();
  const after = snapshot(run);
  expect(run.trainer.position.globalStep).toBe(1);
  const compression: number[] = [];
  const weights: number[] = [];
  for (const k of Object.keys(before)) {
    const into = k.startsWith('cv') ? compression : weights;
    before[k].forEach((v, i) => into.push(after[k][i] - v));
  }
  const compressionVariables = run.controller.compressionVariables().length;
  run.trainer.dispose();
  run.controller.dispose();
  run.model.engine.dispose();
  return { compression, weights, compressionVariables };
}

const l1 = (a: number[]) => a.reduce((s, v) => s + Math.abs(v), 0);

const KD = { algorithm: 'knowledge_distillation', type: 'mse' };

describe('compression_lr_multiplier (real trainer, real quantization controller)', () => {
  it.each([
    ['in the quantization section', { compression: QUANTIZATION }, { compression: { ...QUANTIZATION, compression_lr_multiplier: 10 } }, 10],
    ['at the top level (applies to every algorithm)', { compression: QUANTIZATION }, { compression_lr_multiplier: 10, compression: QUANTIZATION }, 10],
    ['at the top level, redefined as 1 by the section', { compression: QUANTIZATION }, { compression_lr_multiplier: 10, compression: { ...QUANTIZATION, compression_lr_multiplier: 1 } }, 1],
    ['at the top level, quantization + distillation', { compression: [QUANTIZATION, KD] }, { compression_lr_multiplier: 10, compression: [QUANTIZATION, KD] }, 10],
  ])('m %s: one SGD step moves the compression parameters by the expected factor within 1 per cent, the model weights as without it', async (_where, base, scaled, expected) => {
    const one = await oneStepUpdates(base);
    const m = await oneStepUpdates(scaled);
    expect(one.compressionVariables).toBeGreaterThan(0);
    expect(l1(one.compression)).toBeGreaterThan(1e-4);
    expect(l1(one.weights)).toBeGreaterThan(1e-4);
    const ratio = l1(m.compression) / l1(one.compression);
    expect(Math.abs(ratio / expected - 1)).toBeLessThan(0.01);
    // element by element too: every parameter that moved, moved ×expected
    let compared = 0;
    m.compression.forEach((d, i) => {
      if (Math.abs(one.compression[i]) < 1e-5) return;
      compared++;
      expect(Math.abs(d / one.compression[i] / expected - 1)).toBeLessThan(0.01);
    });
    expect(compared).toBeGreaterThan(0);
    expect(m.weights).toEqual(one.weights);
  });
});
