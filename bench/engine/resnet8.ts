/**
 * The ResNet-8 of engine-notes.md written directly with tfjs ops (NHWC): CIFAR 32x32x3,
 * conv3x3-16, three basic blocks (16/s1, 32/s2, 64/s2) with 1x1 projection shortcuts, BN+ReLU,
 * global average pool, FC-10. Used by the engine benchmark until the Graph engine runs it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrain } from '../../src/engine/kernels/index.js';

export interface ConvBN {
  name: string;
  w: tf.Variable<tf.Rank.R4>; // [k, k, ci, co]
  gamma: tf.Variable<tf.Rank.R1>;
  beta: tf.Variable<tf.Rank.R1>;
  mean: tf.Variable<tf.Rank.R1>;
  variance: tf.Variable<tf.Rank.R1>;
  stride: number;
}

export interface ResNet8 {
  stem: ConvBN;
  blocks: Array<{ a: ConvBN; b: ConvBN; proj: ConvBN | null }>;
  fcW: tf.Variable<tf.Rank.R2>;
  fcB: tf.Variable<tf.Rank.R1>;
}

let seed = 1;
function convBN(name: string, k: number, ci: number, co: number, stride: number): ConvBN {
  const std = Math.sqrt(2 / (k * k * ci));
  return {
    name,
    w: tf.variable(tf.randomNormal([k, k, ci, co], 0, std, 'float32', seed++)),
    gamma: tf.variable(tf.ones([co])),
    beta: tf.variable(tf.zeros([co])),
    mean: tf.variable(tf.zeros([co]), false),
    variance: tf.variable(tf.ones([co]), false),
    stride,
  };
}

export function buildResNet8(): ResNet8 {
  seed = 1;
  const blocks: ResNet8['blocks'] = [];
  let ci = 16;
  for (const [co, s] of [
    [16, 1],
    [32, 2],
    [64, 2],
  ] as const) {
    // 1x1 projection where the shape changes (≈12.5 M MAC/image as in engine-notes).
    const proj = s !== 1 || ci !== co ? convBN(`b${co}p`, 1, ci, co, s) : null;
    blocks.push({ a: convBN(`b${co}a`, 3, ci, co, s), b: convBN(`b${co}b`, 3, co, co, 1), proj });
    ci = co;
  }
  return {
    stem: convBN('stem', 3, 3, 16, 1),
    blocks,
    fcW: tf.variable(tf.randomNormal([64, 10], 0, 0.1, 'float32', seed++)),
    fcB: tf.variable(tf.zeros([10])),
  };
}

const MOMENTUM = 0.9;
const EPS = 1e-5;

function applyConvBN(x: tf.Tensor4D, l: ConvBN, train: boolean, relu: boolean): tf.Tensor4D {
  const c = tf.conv2d(x, l.w, l.stride, 'same');
  let y: tf.Tensor4D;
  if (train) {
    const r = batchNormTrain(c, l.gamma, l.beta, EPS, -1);
    // Running statistics as in PyTorch's BatchNorm (unbiased variance for the running value).
    const m = c.size / c.shape[3];
    l.mean.assign(tf.add(tf.mul(l.mean, MOMENTUM), tf.mul(r.mean, 1 - MOMENTUM)));
    l.variance.assign(
      tf.add(tf.mul(l.variance, MOMENTUM), tf.mul(r.variance, ((1 - MOMENTUM) * m) / (m - 1))),
    );
    y = r.y as tf.Tensor4D;
  } else {
    y = tf.batchNorm(c, l.mean, l.variance, l.beta, l.gamma, EPS) as tf.Tensor4D;
  }
  return relu ? (tf.relu(y) as tf.Tensor4D) : y;
}

/** Logits [N, 10]. In train mode BatchNorm uses batch statistics and updates running ones. */
export function forward(net: ResNet8, x: tf.Tensor4D, train: boolean): tf.Tensor2D {
  let h = applyConvBN(x, net.stem, train, true);
  for (const { a, b, proj } of net.blocks) {
    const main = applyConvBN(applyConvBN(h, a, train, true), b, train, false);
    const short = proj ? applyConvBN(h, proj, train, false) : h;
    h = tf.relu(tf.add(main, short)) as tf.Tensor4D;
  }
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
  return tf.add(tf.matMul(pooled, net.fcW), net.fcB);
}

export function trainableVariables(net: ResNet8): tf.Variable[] {
  const layers = [net.stem, ...net.blocks.flatMap((b) => [b.a, b.b, ...(b.proj ? [b.proj] : [])])];
  return [...layers.flatMap((l) => [l.w, l.gamma, l.beta]), net.fcW, net.fcB];
}

export function allLayers(net: ResNet8): ConvBN[] {
  return [net.stem, ...net.blocks.flatMap((b) => [b.a, b.b, ...(b.proj ? [b.proj] : [])])];
}

/** One SGD step on a batch; returns the loss value. */
export function trainStep(net: ResNet8, opt: tf.Optimizer, x: tf.Tensor4D, labels: tf.Tensor2D): number {
  const loss = opt.minimize(
    () => tf.losses.softmaxCrossEntropy(labels, forward(net, x, true)) as tf.Scalar,
    true,
    trainableVariables(net),
  );
  const v = loss!.dataSync()[0];
  loss!.dispose();
  return v;
}
