/**
 * Supervised training of an Engine on a labelled Dataset: softmax cross-entropy, SGD with Nesterov
 * momentum, warm-up + cosine LR per step, decoupled weight decay on conv/Gemm weights (not on BN or
 * biases), seeded shuffling and augmentation. Everything allocated in a step is released.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Random, type Dataset, type NdArray } from '../../src/data/index.js';
import type { Engine } from '../../src/engine/index.js';
import { randomHorizontalFlip } from './augment.js';
import { warmupCosineLr } from './schedule.js';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  peakLr: number;
  momentum: number;
  weightDecay: number;
  /** Warm-up length in epochs (fractional allowed). */
  warmupEpochs: number;
  seed: number;
  flip: boolean;
  /** Stop after this many steps in total (throughput measurements). */
  maxSteps?: number;
  onStep?: (info: StepInfo) => void;
  onEpoch?: (info: EpochInfo) => void;
}

export interface StepInfo {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  lr: number;
  imagesPerSecond: number;
}

export interface EpochInfo {
  epoch: number;
  meanLoss: number;
  trainTop1: number;
  seconds: number;
}

function crossEntropy(logits: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]!), tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

function labelTensor(y: NdArray): tf.Tensor1D {
  return tf.tensor1d(Int32Array.from(y.data as ArrayLike<number>, Number), 'int32');
}

/** Variables that get weight decay: conv and Gemm weights (rank ≥ 2). */
function decayed(engine: Engine): tf.Variable[] {
  return engine.weights().filter((w) => w.trainable && w.onnxDims.length >= 2).map((w) => w.variable);
}

export function train(engine: Engine, data: Dataset, o: TrainOptions): { seconds: number; steps: number; images: number } {
  const input = engine.graph.inputs[0].name;
  const output = engine.graph.outputs[0].name;
  const variables = engine.trainableVariables();
  const decay = decayed(engine);
  const stepsPerEpoch = data.numBatches(o.batchSize, true);
  const schedule = { peak: o.peakLr, totalSteps: o.epochs * stepsPerEpoch, warmupSteps: Math.round(o.warmupEpochs * stepsPerEpoch) };
  const optimizer = tf.train.momentum(o.peakLr, o.momentum, true);
  const augmentRng = new Random(o.seed ^ 0x5eed);
  const t0 = performance.now();
  let step = 0;
  let images = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const te = performance.now();
    let lossSum = 0;
    let hits = 0;
    let seen = 0;
    for (const batch of data.batches(o.batchSize, { shuffleSeed: o.seed * 1000 + epoch, dropLast: true })) {
      const lr = warmupCosineLr(step, schedule);
      optimizer.setLearningRate(lr);
      const x = batch.x as NdArray<'float32'>;
      if (o.flip) randomHorizontalFlip(x, augmentRng);
      const xs = tf.tensor(x.data, x.shape);
      const ys = labelTensor(batch.y!);
      let correct!: tf.Tensor;
      const loss = optimizer.minimize(() => {
        const logits = engine.run({ [input]: xs }, { training: true })[output];
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), ys), 'int32')));
        return crossEntropy(logits, ys);
      }, true, variables)!;
      if (o.weightDecay > 0) tf.tidy(() => { for (const v of decay) v.assign(tf.mul(v, 1 - lr * o.weightDecay)); });
      const lossValue = loss.dataSync()[0];
      hits += correct.dataSync()[0];
      tf.dispose([xs, ys, loss, correct]);
      if (!Number.isFinite(lossValue)) throw new Error(`loss is ${lossValue} at step ${step}`);
      lossSum += lossValue;
      seen += x.shape[0];
      images += x.shape[0];
      step++;
      o.onStep?.({ epoch, step, stepsPerEpoch, loss: lossValue, lr, imagesPerSecond: images / ((performance.now() - t0) / 1000) });
      if (o.maxSteps !== undefined && step >= o.maxSteps) break;
    }
    o.onEpoch?.({ epoch, meanLoss: lossSum / Math.max(1, seen / o.batchSize), trainTop1: hits / Math.max(1, seen), seconds: (performance.now() - te) / 1000 });
    if (o.maxSteps !== undefined && step >= o.maxSteps) break;
  }
  optimizer.dispose();
  return { seconds: (performance.now() - t0) / 1000, steps: step, images };
}
