/**
 * BatchNorm in training mode with a closed-form backward (tf.customGrad). tf.batchNorm's autodiff
 * spends most of its time in Tile (engine-notes: step 1004 -> 492 ms). Per-channel sums over a
 * channels-last tensor are done as ones[1,M] x X[M,C] matMuls: wasm reductions over leading axes
 * would transpose first.
 *   y = gamma * xhat + beta,  xhat = (x - mean) / sqrt(var + eps)   (biased batch variance)
 *   dbeta = sum dy,  dgamma = sum dy*xhat,  dx = gamma/sqrt(var+eps) * (dy - (dbeta + xhat*dgamma)/M)
 */
import * as tf from '@tensorflow/tfjs-core';

export interface BatchNormTrainResult {
  y: tf.Tensor;
  /** Batch mean per channel, shape [C]. No gradient flows through it. */
  mean: tf.Tensor1D;
  /** Biased batch variance per channel, shape [C]. No gradient flows through it. */
  variance: tf.Tensor1D;
}

/** Sum over every axis but the channel axis, as [C]. */
function channelSum(t: tf.Tensor, axis: number): tf.Tensor1D {
  const C = t.shape[axis];
  if (axis === t.rank - 1) {
    const rows = t.size / C;
    return tf.reshape(tf.matMul(tf.ones([1, rows]), tf.reshape(t, [rows, C])), [C]);
  }
  const axes = t.shape.map((_, i) => i).filter((i) => i !== axis);
  return tf.sum(t, axes) as tf.Tensor1D;
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
  const ax = axis < 0 ? x.rank + axis : axis;
  const C = x.shape[ax];
  const M = x.size / C;
  const bshape = x.shape.map((d, i) => (i === ax ? d : 1));
  const asBroadcast = (v: tf.Tensor): tf.Tensor => (ax === x.rank - 1 ? v : tf.reshape(v, bshape));
  // Statistics outside the custom-gradient op: they feed running averages, not the loss, so the
  // tape prunes them.
  const { mean, variance } = tf.tidy(() => {
    const m = tf.div(channelSum(x, ax), M) as tf.Tensor1D;
    const centered = tf.sub(x, asBroadcast(m));
    const v = tf.div(channelSum(tf.square(centered), ax), M) as tf.Tensor1D;
    return { mean: m, variance: v };
  });

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
        const dbeta = channelSum(d, ax);
        const dgamma = channelSum(tf.mul(d, sxhat), ax);
        const scale = asBroadcast(tf.mul(sg, sinvStd));
        const inner = tf.sub(tf.sub(d, asBroadcast(tf.div(dbeta, M))), tf.mul(sxhat, asBroadcast(tf.div(dgamma, M))));
        return [tf.mul(inner, scale), dgamma, dbeta];
      },
    };
  });
  const y = normalize(x, gamma, beta) as tf.Tensor;
  return { y, mean, variance };
}
