/**
 * BatchNorm in training mode with a closed-form backward (tf.customGrad). tf.batchNorm's autodiff
 * spends most of its time in Tile (engine-notes: step 1004 -> 492 ms). Per-channel sums over a
 * channels-last tensor run as one JS pass (channel-sums.ts): mean and variance together in the
 * forward, sum dy and sum dy*xhat together in the backward.
 *   y = gamma * xhat + beta,  xhat = (x - mean) / sqrt(var + eps)   (biased batch variance)
 *   dbeta = sum dy,  dgamma = sum dy*xhat,  dx = gamma/sqrt(var+eps) * (dy - (dbeta + xhat*dgamma)/M)
 */
import * as tf from '@tensorflow/tfjs-core';
import { channelReduce as channelReduceLast, registerChannelSums } from './channel-sums.js';

export interface BatchNormTrainResult {
  y: tf.Tensor;
  /** Batch mean per channel, shape [C]. No gradient flows through it. */
  mean: tf.Tensor1D;
  /** Biased batch variance per channel, shape [C]. No gradient flows through it. */
  variance: tf.Tensor1D;
}

/** [2, C]: (mean, biased variance) or (sum a, sum a*b) over every axis but the channel axis. */
function channelReduce(a: tf.Tensor, axis: number, mode: 'moments' | 'sums', b?: tf.Tensor): [tf.Tensor1D, tf.Tensor1D] {
  if (axis === a.rank - 1) {
    const r = channelReduceLast(a, mode, b);
    const [r0, r1] = tf.unstack(r) as [tf.Tensor1D, tf.Tensor1D];
    r.dispose();
    return [r0, r1];
  }
  const axes = a.shape.map((_, i) => i).filter((i) => i !== axis);
  if (mode === 'moments') {
    const m = tf.moments(a, axes);
    return [m.mean as tf.Tensor1D, m.variance as tf.Tensor1D];
  }
  return [tf.sum(a, axes) as tf.Tensor1D, tf.sum(tf.mul(a, b ?? a), axes) as tf.Tensor1D];
}

/**
 * Normalises x with its batch statistics along every axis but `axis` (the channel axis: -1 for
 * NHWC, 1 for NCHW). gamma and beta have shape [C].
 */
export function batchNormTrain(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon = 1e-5,
  axis = -1,
): BatchNormTrainResult {
  registerChannelSums();
  const ax = axis < 0 ? x.rank + axis : axis;
  const C = x.shape[ax];
  const M = x.size / C;
  const bshape = x.shape.map((d, i) => (i === ax ? d : 1));
  const asBroadcast = (v: tf.Tensor): tf.Tensor => (ax === x.rank - 1 ? v : tf.reshape(v, bshape));
  // Statistics outside the custom-gradient op: they feed running averages, not the loss, so the
  // tape prunes them.
  const [mean, variance] = channelReduce(x, ax, 'moments');

  const normalize = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, g, b, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(tf.sub(xIn, asBroadcast(mean)), asBroadcast(invStd));
    const y = tf.add(tf.mul(xhat, asBroadcast(g)), asBroadcast(b));
    save([xhat, invStd, g]);
    return {
      value: y,
      gradFunc: (d: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, sinvStd, sg] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
        const [dbeta, dgamma] = channelReduce(d, ax, 'sums', sxhat);
        const scale = asBroadcast(tf.mul(sg, sinvStd));
        const inner = tf.sub(tf.sub(d, asBroadcast(tf.div(dbeta, M))), tf.mul(sxhat, asBroadcast(tf.div(dgamma, M))));
        return [tf.mul(inner, scale), dgamma, dbeta];
      },
    };
  });
  const y = normalize(x, gamma, beta) as tf.Tensor;
  return { y, mean, variance };
}
