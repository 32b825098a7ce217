/**
 * Cross-entropy with label smoothing ε (torch CrossEntropyLoss(label_smoothing), NNCF's bootstrap_nas.py
 * `cross_entropy_with_label_smoothing`; `nas` reads optimizer.label_smoothing): the target is
 * (1 − ε)·onehot + ε/C. Hand-computed values on tfjs; the compiled ORT training graph gives the engine's
 * loss and gradients; bad values are refused naming the key.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { softmaxCrossEntropy, taskLoss } from '../../src/training/index.js';
import { engineGradients } from '../autodiff/engine-reference.js';
import { ortGradients, relativeError, seededBatch } from '../autodiff/helpers.js';
import { resnetStyle } from '../helpers/models.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('label smoothing', () => {
  it('tfjs: hand-computed losses; ε = 0 is plain cross-entropy; the declared loss carries ε for ORT', () => {
    const before = tf.memory().numTensors;
    const ce = (logits: number[][], labels: number[], eps?: number) =>
      tf.tidy(() => softmaxCrossEntropy(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'), eps).dataSync()[0]);
    // logits [1, 2, 3], label 2: log-probs [−2.4076, −1.4076, −0.4076]; target [ε/3, ε/3, 1 − ε + ε/3]
    expect(ce([[1, 2, 3]], [2], 0.1)).toBeCloseTo(0.5076059644, 6);
    expect(ce([[1, 2, 3]], [2], 0)).toBeCloseTo(0.4076059644, 6);
    expect(ce([[1, 2, 3]], [2])).toBeCloseTo(0.4076059644, 6);
    // batch mean: the second row [0.5, −1, 2], label 0, ε 0.2 alone gives 1.7413112967
    expect(ce([[0.5, -1, 2]], [0], 0.2)).toBeCloseTo(1.7413112967, 6);
    expect(ce([[1, 2, 3], [0.5, -1, 2]], [2, 0], 0.2)).toBeCloseTo((ce([[1, 2, 3]], [2], 0.2) + 1.7413112967) / 2, 6);
    expect(taskLoss('cross_entropy', 'logits', { labelSmoothing: 0.1 }).spec).toEqual({ kind: 'cross_entropy', output: 'logits', labelSmoothing: 0.1 });
    expect(taskLoss('cross_entropy', 'logits').spec).toEqual({ kind: 'cross_entropy', output: 'logits' });
    expect(() => taskLoss('cross_entropy', 'logits', { labelSmoothing: 1.5 })).toThrow('label_smoothing must be a number in [0, 1], got 1.5');
    expect(() => taskLoss('mse', 'y', { labelSmoothing: 0.1 })).toThrow('label smoothing applies to the cross_entropy task loss, not mse');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('ORT training graph = tfjs engine with ε 0.1: loss (1e-5) and every gradient (1e-4); differs from ε 0', async () => {
    const graph = resnetStyle({ batch: 4, size: 8, width: 8 }).graph;
    const classes = graph.outputs[0].shape![1] as number;
    const batch = seededBatch(graph, 7, classes);
    const ref = engineGradients(graph, batch, {}, 0.1);
    const plain = engineGradients(graph, batch, {}, 0);
    const ort = await ortGradients(graph, batch, { loss: { task: 'cross_entropy', labelSmoothing: 0.1 } });
    expect(Math.abs(ort.loss - ref.loss) / Math.max(1, Math.abs(ref.loss))).toBeLessThan(1e-5);
    expect(Math.abs(ref.loss - plain.loss)).toBeGreaterThan(1e-3);
    for (const p of ort.compiled.parameters) expect(relativeError(ort.gradients.get(p.name)!, ref.gradients.get(p.name)!), p.name).toBeLessThan(1e-4);
  }, 120_000);
});
