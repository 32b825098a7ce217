import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, initBackend } from '../../src/engine/index.js';
import { randomInputs, resnetStyle } from '../helpers/models.js';

/** Mean softmax cross-entropy of logits against fixed labels. */
function crossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(labels as tf.Tensor1D, logits.shape[1]!), tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

describe('training on wasm', () => {
  beforeAll(async () => {
    expect(await initBackend('wasm')).toBe('wasm');
  });

  it('20 SGD steps of the ResNet-style net lower the loss; live tensors stay flat', () => {
    const model = resnetStyle({ batch: 8, size: 16 });
    const engine = new Engine(model.graph);
    const feed = randomInputs(model, 3, 8).input;
    const x = tf.tensor(feed.data, feed.dims);
    const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const opt = tf.train.sgd(0.05);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 1; step <= 20; step++) {
      const loss = opt.minimize(() => crossEntropy(engine.run({ input: x }, { training: true }).logits, labels), true, engine.trainableVariables());
      losses.push(loss!.dataSync()[0]);
      loss!.dispose();
      counts.push(tf.memory().numTensors);
    }
    console.log(`loss ${losses[0].toFixed(4)} -> ${losses[19].toFixed(4)}; live tensors after step 2: ${counts[1]}, after step 20: ${counts[19]}`);
    expect(losses[19]).toBeLessThan(losses[0] * 0.7);
    expect(counts[19]).toBe(counts[1]);
    // Running statistics moved in train mode.
    const before = resnetStyle({ batch: 8, size: 16 }).graph.initializers.get('stem.bn.mean')!.values as Float32Array;
    const after = engine.getWeight('stem.bn.mean');
    expect(Math.abs(after.dataSync()[0] - before[0])).toBeGreaterThan(1e-4);
    after.dispose();
    engine.dispose();
    opt.dispose();
    tf.dispose([x, labels]);
  });

  it('eval runs keep the tensor count flat and do not touch running statistics', () => {
    const model = resnetStyle({ batch: 2, size: 16 });
    const engine = new Engine(model.graph);
    const feed = randomInputs(model, 3, 2).input;
    const x = tf.tensor(feed.data, feed.dims);
    const start = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose(engine.run({ input: x }));
    expect(tf.memory().numTensors).toBe(start);
    const mean = engine.getWeight('stem.bn.mean');
    expect(Array.from(mean.dataSync())).toEqual(Array.from(model.graph.initializers.get('stem.bn.mean')!.values as Float32Array));
    mean.dispose();
    engine.dispose();
    x.dispose();
  });

  it('BatchNormalization train mode: batch statistics and ONNX momentum update', () => {
    const { Graph } = tfGraph();
    const g = new Graph({
      nodes: [{ name: 'bn', opType: 'BatchNormalization', domain: '', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y'], attributes: { momentum: { type: 'float', value: 0.8 }, epsilon: { type: 'float', value: 0 } }, scope: 'bn' }],
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 1, 1, 2] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [2, 1, 1, 2] }],
      initializers: [
        { name: 's', dtype: 'float32', dims: [1], values: Float32Array.of(2) },
        { name: 'b', dtype: 'float32', dims: [1], values: Float32Array.of(1) },
        { name: 'm', dtype: 'float32', dims: [1], values: Float32Array.of(10) },
        { name: 'v', dtype: 'float32', dims: [1], values: Float32Array.of(4) },
      ],
    });
    const engine = new Engine(g);
    const x = tf.tensor([1, 3, 5, 7], [2, 1, 1, 2]);
    // eval: (x - 10) / 2 * 2 + 1
    expect(Array.from(engine.run({ x }).y.dataSync())).toEqual([-8, -6, -4, -2]);
    // train: mean 4, biased var 5 → y = (x-4)/sqrt(5)*2 + 1
    const y = engine.run({ x }, { training: true }).y.dataSync();
    [1, 3, 5, 7].forEach((v, i) => expect(y[i]).toBeCloseTo(((v - 4) / Math.sqrt(5)) * 2 + 1, 5));
    expect(engine.getWeight('m').dataSync()[0]).toBeCloseTo(10 * 0.8 + 4 * 0.2, 5);
    expect(engine.getWeight('v').dataSync()[0]).toBeCloseTo(4 * 0.8 + 5 * 0.2, 5);
    expect(engine.trainableVariables().length).toBe(2);
    engine.dispose();
  });
});

import * as graphModule from '../../src/graph/index.js';
function tfGraph() {
  return graphModule;
}

describe('training on the cpu fallback', () => {
  it('5 SGD steps lower the loss with a flat tensor count', async () => {
    expect(await initBackend('cpu')).toBe('cpu');
    const model = resnetStyle({ batch: 4, size: 8, width: 8 });
    const engine = new Engine(model.graph);
    const feed = randomInputs(model, 3, 4).input;
    const x = tf.tensor(feed.data, feed.dims);
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    const opt = tf.train.sgd(0.1);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 5; step++) {
      const loss = opt.minimize(() => crossEntropy(engine.run({ input: x }, { training: true }).logits, labels), true, engine.trainableVariables());
      losses.push(loss!.dataSync()[0]);
      loss!.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(losses[4]).toBeLessThan(losses[0]);
    expect(counts[4]).toBe(counts[1]);
    engine.dispose();
    opt.dispose();
    tf.dispose([x, labels]);
  });
});
