import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from '../context.js';
import { fastPaths } from '../fast-paths.js';
import { registerOp } from '../registry.js';
import { canonical, channelsLastPerm, onnxShape, withPerm, type Value } from '../value.js';

/**
 * BatchNormalization on channels-last data (channel = last axis, so [C] parameters broadcast as is).
 * Eval: running statistics, folded into one scale and shift. Train (engine mode): batch statistics
 * (biased variance, as the ONNX reference), and running stats updated with ONNX momentum semantics:
 * running = running * momentum + batch * (1 - momentum).
 */
function runBatchNorm(ins: (Value | undefined)[], ctx: OpContext): Value[] {
  const [xv, scaleV, biasV, meanV, varV] = ins;
  const perm = channelsLastPerm(onnxShape(xv!).length);
  const x = withPerm(xv!, perm);
  const [gamma, beta, runMean, runVar] = [scaleV, biasV, meanV, varV].map((v) => canonical(v!));
  const eps = ctx.float('epsilon', 1e-5);
  if (!ctx.training && ctx.int('training_mode', 0) !== 1) {
    const s = tf.mul(gamma, tf.rsqrt(tf.add(runVar, eps)));
    return [{ t: tf.add(tf.mul(x, s), tf.sub(beta, tf.mul(runMean, s))), perm }];
  }
  const momentum = ctx.float('momentum', 0.9);
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const { y, mean, variance } = fastPaths.batchNormTrain
    ? fastPaths.batchNormTrain(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, eps)
    : momentsAndNormalize(x, axes, gamma, beta, eps);
  const newMean = tf.add(tf.mul(runMean, momentum), tf.mul(mean, 1 - momentum));
  const newVar = tf.add(tf.mul(runVar, momentum), tf.mul(variance, 1 - momentum));
  ctx.assignState(3, newMean);
  ctx.assignState(4, newVar);
  return [{ t: y, perm }, { t: newMean, perm: null }, { t: newVar, perm: null }];
}

function momentsAndNormalize(x: tf.Tensor, axes: number[], gamma: tf.Tensor, beta: tf.Tensor, eps: number) {
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.add(tf.mul(tf.sub(x, mean), tf.mul(tf.rsqrt(tf.add(variance, eps)), gamma)), beta);
  return { y, mean, variance };
}

registerOp({
  opType: 'BatchNormalization',
  layout: 'custom',
  runValues: runBatchNorm,
  weightPorts: () => [1, 2],
  statePorts: [3, 4],
});

/** InstanceNormalization: per sample and channel over the spatial axes (channels-last). */
function runInstanceNorm([xv, scaleV, biasV]: (Value | undefined)[], ctx: OpContext): Value {
  const perm = channelsLastPerm(onnxShape(xv!).length);
  const x = withPerm(xv!, perm);
  const axes = x.shape.map((_, i) => i).slice(1, -1);
  const { mean, variance } = tf.moments(x, axes, true);
  const norm = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, ctx.float('epsilon', 1e-5))));
  return { t: tf.add(tf.mul(norm, canonical(scaleV!)), canonical(biasV!)), perm };
}

registerOp({ opType: 'InstanceNormalization', layout: 'custom', runValues: runInstanceNorm, weightPorts: () => [1, 2] });
