/**
 * optimizer.parameter_groups (NNCF's sample scripts, examples/torch/common/optimizer.py): the first group
 * whose `re` is found in a parameter's name gives its lr and weight decay; a parameter in no group does
 * not train. Checked through the real Trainer on both engines against a one-group run from the same start:
 * one plain-SGD step moves a parameter by −lr_g·(g + wd_g·p), i.e. (lr_g / base_lr)·Δ_ref − lr_g·wd_g·p.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { NNCFConfig } from '../../src/config/index.js';
import { initBackend } from '../../src/engine/index.js';
import { taskLoss, TrainingConfigError, trainingSettings, type TrainingEngineName } from '../../src/training/index.js';
import { makeRun, snapshot } from './run-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const SAMPLES = 32;
const RB = { algorithm: 'rb_sparsity', sparsity_init: 0.5 };
const sgd = (extra: object = {}) => ({ type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0 }, weight_decay: 0, ...extra });

/** One training step: each parameter's values before and after (weights by name, RB logits as cv<i>). */
async function oneStep(optimizer: object, engine: TrainingEngineName) {
  const config = { batch_size: SAMPLES, epochs: 1, seed: 3, optimizer, compression: RB };
  const run = await makeRun({ config, samples: SAMPLES, hooks: { loss: taskLoss('cross_entropy', 'logits'), engine } });
  const before = snapshot(run);
  await run.trainer.fit();
  const after = snapshot(run);
  const ran = run.trainer.engine;
  run.trainer.dispose();
  run.controller.dispose();
  run.model.engine.dispose();
  return { before, after, engine: ran };
}

describe('optimizer.parameter_groups', () => {
  it.each(['ort', 'tfjs'] as const)('SGD on %s: per-group lr and weight decay, NNCF regex on the RB mask logits, ungrouped parameters stay', async (engine) => {
    const tensorsBefore = tf.memory().numTensors;
    const ref = await oneStep(sgd(), engine);
    const groups = [
      { re: '.*\\._mask', lr: 0.5, weight_decay: 0 }, // NNCF's resnet34_cifar RB regex
      { re: '^conv\\.weight$', lr: 0.01, weight_decay: 0.1 },
      { re: 'bias', lr: 0.05 },
    ];
    const g = await oneStep(sgd({ parameter_groups: groups }), engine);
    expect(g.engine).toBe(engine);
    const delta = (r: typeof ref, k: string) => r.after[k].map((v, i) => v - r.before[k][i]);
    let logits = 0;
    for (const k of Object.keys(ref.before)) {
      expect(g.before[k]).toEqual(ref.before[k]); // same start
      const d = delta(g, k);
      const dRef = delta(ref, k);
      if (k.startsWith('cv')) {
        // mask logits: 10× the step (lr 0.5 vs 0.05); logits near 4.6 carry float32 spacing 4.8e-7 in after − before
        d.forEach((v, i) => expect(Math.abs(v - 10 * dRef[i])).toBeLessThan(1e-5));
        logits += d.length;
      } else if (k === 'conv.weight') {
        d.forEach((v, i) => expect(v).toBeCloseTo(0.2 * dRef[i] - 0.01 * 0.1 * ref.before[k][i], 6));
        expect(d.some((v) => Math.abs(v) > 1e-5)).toBe(true);
      } else if (k.endsWith('bias')) d.forEach((v, i) => expect(v).toBeCloseTo(dRef[i], 6));
      else if (k === 'fc.weight' || k === 'bn.scale') {
        expect(d.every((v) => v === 0)).toBe(true); // in no group: not trained
        expect(dRef.some((v) => Math.abs(v) > 1e-6)).toBe(true);
      } else d.forEach((v, i) => expect(v).toBeCloseTo(dRef[i], 6)); // running statistics are no parameters
    }
    expect(logits).toBeGreaterThan(100);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(tensorsBefore);
  });

  it('Adam (ORT): the mask logits group takes its own lr (first step ≈ −lr_g), the rest the default group', async () => {
    const r = await oneStep({ type: 'adam', base_lr: 1e-3, weight_decay: 0, parameter_groups: [{ re: '_mask', lr: 0.02 }, { re: '' }] }, 'ort');
    expect(r.engine).toBe('ort');
    for (const k of Object.keys(r.before)) {
      const d = r.after[k].map((v, i) => v - r.before[k][i]);
      // bias-corrected first Adam step: lr·g/(|g| + 1e-8); the group without lr takes torch's Adam default 1e-3
      if (k.startsWith('cv')) d.forEach((v) => expect(Math.abs(v + 0.02)).toBeLessThan(2e-5));
      else if (!k.startsWith('bn.mean') && !k.startsWith('bn.var')) d.forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(1e-3 + 1e-6));
    }
  });

  it('a group that matches no parameter is an error naming it', async () => {
    const config = { batch_size: SAMPLES, epochs: 1, seed: 3, optimizer: sgd({ parameter_groups: [{ re: '', lr: 0.1 }, { re: '_mask', lr: 1 }] }), compression: RB };
    await expect(makeRun({ config, samples: SAMPLES, hooks: { loss: taskLoss('cross_entropy', 'logits') } })).rejects.toThrow(/parameter_groups\[1\]\.re.*matches no trainable parameter/);
  });

  it.each([
    [{ parameter_groups: {} }, /optimizer\.parameter_groups: must be a non-empty list/],
    [{ parameter_groups: [] }, /optimizer\.parameter_groups: must be a non-empty list/],
    [{ parameter_groups: [3] }, /parameter_groups\[0\]: must be an object/],
    [{ parameter_groups: [{ re: 'a', momentum: 0.5 }] }, /parameter_groups\[0\]\.momentum: unsupported option/],
    [{ parameter_groups: [{ re: 5 }] }, /parameter_groups\[0\]\.re: must be a string/],
    [{ parameter_groups: [{ re: '(' , lr: 1 }] }, /parameter_groups\[0\]\.re: is not a valid regular expression/],
    [{ parameter_groups: [{ re: 'a', lr: -1 }] }, /parameter_groups\[0\]\.lr: must be a non-negative number/],
    [{ parameter_groups: [{ re: 'a', lr: 1, weight_decay: 'x' }] }, /parameter_groups\[0\]\.weight_decay: must be a non-negative number/],
    [{ type: 'sgd', parameter_groups: [{ re: 'a' }] }, /parameter_groups\[0\]\.lr: is required with SGD/],
    [{ base_lr: 0, parameter_groups: [{ re: 'a', lr: 1 }] }, /optimizer\.base_lr: must be > 0 with parameter_groups/],
    [{ schedule_type: 'cosine', schedule_params: { eta_min: 1e-5 }, parameter_groups: [{ re: 'a', lr: 1 }] }, /parameter_groups: cannot be combined with a non-zero eta_min/],
  ])('settings refuse %j', (optimizer, message) => {
    const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, optimizer: { type: 'adam', base_lr: 1e-3, ...optimizer } });
    expect(() => trainingSettings(config)).toThrow(TrainingConfigError);
    expect(() => trainingSettings(config)).toThrow(message);
  });

  it('settings: lr / weight_decay default to optimizer_params, else torch Adam 1e-3 / 0', () => {
    const of = (optimizer: object) => trainingSettings(NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, optimizer })).optimizer.groups!;
    const a = of({ type: 'adam', base_lr: 1e-4, weight_decay: 0.3, parameter_groups: [{ re: 'x' }, { lr: 0.5, weight_decay: 0.01 }] });
    expect(a.map((g) => [g.re.source, g.lr, g.weightDecay])).toEqual([['x', 1e-3, 0], ['(?:)', 0.5, 0.01]]);
    const s = of({ type: 'sgd', base_lr: 0.1, optimizer_params: { lr: 0.2, weight_decay: 0.4, momentum: 0.9 }, parameter_groups: [{ re: 'x' }] });
    expect(s.map((g) => [g.lr, g.weightDecay])).toEqual([[0.2, 0.4]]);
  });
});
