import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from '../context.js';
import { defineOp } from '../registry.js';

/**
 * NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (input [N, C, d1...], target [N, d1...]),
 * with class weights, ignore_index and reduction none / sum / mean (mean divides by the summed weights).
 */
function nll(logp: tf.Tensor, target: tf.Tensor, weight: tf.Tensor | undefined, ctx: OpContext): tf.Tensor {
  // Flatten the spatial dims first: tfjs kernels stop at rank 6, the tests go to rank 7.
  const [n, c] = logp.shape as number[];
  const moved = tf.transpose(tf.reshape(logp, [n, c, -1]), [0, 2, 1]); // [N, D, C]
  const t = tf.reshape(tf.cast(target, 'int32'), [n, -1]);
  const ignore = ctx.has('ignore_index') ? ctx.int('ignore_index', 0) : undefined;
  const valid = ignore === undefined ? tf.onesLike(t) : tf.cast(tf.notEqual(t, tf.scalar(ignore, 'int32')), 'int32');
  const safe = tf.mul(t, valid);
  const picked = tf.sum(tf.mul(moved, tf.cast(tf.oneHot(safe, c), 'float32')), -1);
  let w = tf.cast(valid, 'float32');
  if (weight) w = tf.mul(w, tf.gather(weight, safe));
  const loss = tf.neg(tf.mul(picked, w));
  const reduction = ctx.string('reduction', 'mean');
  if (reduction === 'none') return tf.reshape(loss, target.shape);
  if (reduction === 'sum') return tf.sum(loss);
  return tf.div(tf.sum(loss), tf.sum(w));
}

defineOp('NegativeLogLikelihoodLoss', ([x, target, weight], ctx) => nll(x!, target!, weight, ctx));

defineOp('SoftmaxCrossEntropyLoss', ([scores, labels, weight], ctx) => {
  // log-softmax over the class axis 1 (on [N, C, D]: tfjs kernels stop at rank 6).
  const [n, c] = scores!.shape as number[];
  const s3 = tf.reshape(scores!, [n, c, -1]);
  const shifted = tf.sub(s3, tf.max(s3, 1, true));
  const logp = tf.reshape(tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), 1, true))), scores!.shape);
  const loss = nll(logp, labels!, weight, ctx);
  return ctx.node.outputs.length > 1 ? [loss, logp] : [loss];
});
