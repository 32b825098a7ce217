/**
 * rb_sparsity honours compression_lr_multiplier as NNCF does (issue 13): NNCF's RBSparsifyingWeight keeps its
 * mask logits in a CompressionParameter whose hook multiplies their gradient by the multiplier (the section's
 * value, else the top-level one). So under plain SGD one step moves every logit K times as far and leaves the
 * weights' own step unchanged, and under Adam (scale-invariant) the logits' first step barely changes: the
 * reason the Fashion RB run uses SGD + multiplier (docs/benchmarks.md, bench:sparsity).
 * Checked through the real Trainer on both engines (ORT training graph and tfjs).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/index.js';
import { taskLoss, type TrainingEngineName } from '../../src/training/index.js';
import { makeRun, snapshot } from '../training/run-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const SAMPLES = 32;
const RB = { algorithm: 'rb_sparsity', sparsity_init: 0.5 };
const sgdStep = { batch_size: SAMPLES, epochs: 1, seed: 3, optimizer: { type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0 }, weight_decay: 0 } };
const adamStep = { batch_size: SAMPLES, epochs: 1, seed: 3, optimizer: { type: 'adam', base_lr: 1e-3, weight_decay: 0 } };

/** One training step; returns the updates of the mask logits and of the model weights, and the engine that ran. */
async function oneStep(config: object, engine: TrainingEngineName) {
  // a declared loss lets the ORT trainer compile the step; the tfjs engine runs the same loss as a function
  const run = await makeRun({ config, samples: SAMPLES, hooks: { loss: taskLoss('cross_entropy', 'logits'), engine } });
  const before = snapshot(run);
  await run.trainer.fit();
  const after = snapshot(run);
  expect(run.trainer.position.globalStep).toBe(1);
  const logits: number[] = [];
  const weights: number[] = [];
  for (const k of Object.keys(before)) {
    const into = k.startsWith('cv') ? logits : weights;
    before[k].forEach((v, i) => into.push(after[k][i] - v));
  }
  const ran = run.trainer.engine;
  run.trainer.dispose();
  run.controller.dispose();
  run.model.engine.dispose();
  return { logits, weights, engine: ran };
}

describe('rb_sparsity: compression_lr_multiplier scales the mask logits gradient (NNCF CompressionParameter)', () => {
  it.each(['ort', 'tfjs'] as const)('SGD on %s: the section multiplier 10 moves every logit 10× as far, the weights exactly as without it', async (engine) => {
    const tensorsBefore = tf.memory().numTensors;
    const one = await oneStep({ ...sgdStep, compression: RB }, engine);
    const ten = await oneStep({ ...sgdStep, compression: { ...RB, compression_lr_multiplier: 10 } }, engine);
    expect(one.engine).toBe(engine);
    expect(ten.engine).toBe(engine);
    // the RB loss gives every logit a gradient: (2·(S/P − 0.5)/0.05²/P)·σ'(m) with S/P = 1 at the start
    expect(one.logits.length).toBeGreaterThan(100);
    let compared = 0;
    one.logits.forEach((d, i) => {
      expect(d).toBeLessThan(0); // pushed towards sparsity
      compared++;
      // logits sit near 4.6, where float32 spacing is 4.8e-7: the updates (read as after − before) carry that error
      expect(Math.abs(ten.logits[i] - 10 * d)).toBeLessThan(1e-5);
      expect(Math.abs(ten.logits[i] / d / 10 - 1)).toBeLessThan(0.01);
    });
    expect(compared).toBe(one.logits.length);
    // the masks of this first step come from the logits before it, so the weights see the same gradient
    ten.weights.forEach((d, i) => expect(d).toBeCloseTo(one.weights[i], 6));
    expect(one.weights.some((d) => Math.abs(d) > 1e-5)).toBe(true);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(tensorsBefore);
  });

  it('the top-level compression_lr_multiplier applies to rb_sparsity (ORT), and the section value redefines it', async () => {
    const one = await oneStep({ ...sgdStep, compression: RB }, 'ort');
    const top = await oneStep({ ...sgdStep, compression_lr_multiplier: 10, compression: RB }, 'ort');
    const redefined = await oneStep({ ...sgdStep, compression_lr_multiplier: 10, compression: { ...RB, compression_lr_multiplier: 1 } }, 'ort');
    one.logits.forEach((d, i) => {
      expect(Math.abs(top.logits[i] - 10 * d)).toBeLessThan(1e-5);
      expect(redefined.logits[i]).toBe(d);
    });
  });

  it('Adam (ORT): the first step moves a logit by lr·g/(|g| + eps) ≈ lr whatever the multiplier, so 100 changes it < 1 %', async () => {
    const one = await oneStep({ ...adamStep, compression: RB }, 'ort');
    const hundred = await oneStep({ ...adamStep, compression: { ...RB, compression_lr_multiplier: 100 } }, 'ort');
    // bias-corrected first Adam step: m̂ = g, v̂ = g², step = lr·g/(|g| + 1e-8); the RB part of a logit's gradient
    // is 2·0.5/0.05²/676·σ'(4.6) ≈ 5.8e-3 (676 mask elements), so eps shortens the step by < 1e-5 relative
    for (let i = 0; i < one.logits.length; i++) {
      expect(one.logits[i]).toBeLessThan(-0.9e-3);
      expect(one.logits[i]).toBeGreaterThanOrEqual(-1e-3 - 1e-9);
      expect(Math.abs(hundred.logits[i] / one.logits[i] - 1)).toBeLessThan(0.01);
      expect(Math.abs(hundred.logits[i] + 1e-3)).toBeLessThan(2e-6);
    }
  });
});
