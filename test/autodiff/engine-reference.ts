/** The tfjs engine's train-mode loss and gradients (ONNX layout, by weight name): the reference path. */
import * as tf from '@tensorflow/tfjs-core';
import { Engine, type EngineOptions } from '../../src/engine/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { softmaxCrossEntropy } from '../../src/training/losses.js';
import type { Batch } from './helpers.js';

const inverse = (perm: number[]) => perm.map((_, i) => perm.indexOf(i));

export function trainableWeights(engine: Engine) {
  return engine.weights().filter((w) => w.trainable);
}

/** One engine forward + backward in train mode (BN running stats move, as in a training step). */
export function engineStep(
  engine: Engine,
  batch: Batch,
  labelSmoothing = 0,
): { loss: number; gradients: Map<string, Float32Array> } {
  const weights = trainableWeights(engine);
  const gradients = new Map<string, Float32Array>();
  let loss = NaN;
  tf.tidy(() => {
    const x = tf.tensor(batch.data, batch.shape);
    const labels = tf.tensor1d(batch.labels, 'int32');
    const inputName = engine.graph.inputs[0].name;
    const { value, grads } = tf.variableGrads(
      () =>
        softmaxCrossEntropy(
          engine.run({ [inputName]: x }, { training: true })[engine.graph.outputs[0].name],
          labels,
          labelSmoothing,
        ),
      weights.map((w) => w.variable),
    );
    for (const w of weights) {
      const g = grads[w.variable.name];
      gradients.set(w.name, (w.perm ? tf.transpose(g, inverse(w.perm)) : g).dataSync() as Float32Array);
    }
    loss = value.dataSync()[0];
  });
  return { loss, gradients };
}

export function engineGradients(graph: Graph, batch: Batch, opts: EngineOptions = {}, labelSmoothing = 0) {
  const engine = new Engine(graph, opts);
  try {
    return { ...engineStep(engine, batch, labelSmoothing), names: trainableWeights(engine).map((w) => w.name) };
  } finally {
    engine.dispose();
  }
}
