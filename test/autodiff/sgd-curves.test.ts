/**
 * 20 SGD steps of the ResNet-style helper on ORT (compiled training graph, SGD in JS) and on the tfjs
 * engine (wasm, tf.train.sgd), same batches: loss curves within 1e-3 at every step, running statistics
 * equal within 1e-3 relative at the end, and the loss goes down (the steps train something).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { softmaxCrossEntropy } from '../../src/training/losses.js';
import { resnetStyle } from '../helpers/models.js';
import { relativeError, seededBatch } from './helpers.js';

const STEPS = 20;
const LR = 0.05;

describe('SGD on ORT vs the tfjs engine', () => {
  beforeAll(async () => {
    expect(await initBackend('wasm')).toBe('wasm');
  });

  it('ResNet-style helper: 20 steps, loss curves within 1e-3', async () => {
    const graph = resnetStyle({ batch: 8, size: 16 }).graph;
    const batches = Array.from({ length: STEPS }, (_, i) => seededBatch(graph, 100 + (i % 4), 10));

    const step = await OrtTrainerStep.create(compileTrainingGraph(graph), { threads: 1 });
    const ortLosses: number[] = [];
    for (const b of batches) {
      const r = await step.step({ data: b.data, shape: b.shape }, b.labels);
      ortLosses.push(r.loss);
      for (const [name, g] of r.gradients) {
        const p = step.parameters.get(name)!;
        for (let i = 0; i < p.length; i++) p[i] -= LR * g[i];
      }
    }
    await step.release();

    const engine = new Engine(resnetStyle({ batch: 8, size: 16 }).graph);
    const opt = tf.train.sgd(LR);
    const engineLosses: number[] = [];
    for (const b of batches) {
      const [x, labels] = [tf.tensor(b.data, b.shape), tf.tensor1d(b.labels, 'int32')];
      const loss = opt.minimize(() => softmaxCrossEntropy(engine.run({ input: x }, { training: true }).logits, labels), true, engine.trainableVariables())!;
      engineLosses.push(loss.dataSync()[0]);
      tf.dispose([x, labels, loss]);
    }

    const gaps = ortLosses.map((l, i) => Math.abs(l - engineLosses[i]));
    console.log(`ORT ${ortLosses[0].toFixed(4)} → ${ortLosses[STEPS - 1].toFixed(4)}; engine ${engineLosses[0].toFixed(4)} → ${engineLosses[STEPS - 1].toFixed(4)}; max gap ${Math.max(...gaps).toExponential(2)}`);
    for (const [i, gap] of gaps.entries()) expect(gap, `step ${i + 1}`).toBeLessThan(1e-3);
    // Steps 1 and 17 see the same batch (four batches in turn).
    expect(ortLosses[16]).toBeLessThan(ortLosses[0] * 0.9);
    for (const [name, value] of step.state) {
      const ref = engine.getWeight(name);
      expect(relativeError(value, ref.dataSync()), name).toBeLessThan(1e-3);
      ref.dispose();
    }
    expect(step.state.size).toBe(12);
    engine.dispose();
    opt.dispose();
  });
});
