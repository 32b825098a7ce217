/**
 * Tensor math shared by the fake-quantize ops: NNCF's reference forward, TuneRange and the
 * straight-through gradients (spec/algorithms.md §1.2–1.4). Every function is called inside a
 * tidy scope by its callers; none of them keeps tensors.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * NNCF `ReferenceQuantize.forward`, in the same operation order so float32 results match:
 * s = (levels-1)/range; y = clamp(x); zp = round(-low*s); out = round((y-low)*s - zp)/s.
 * tf.round rounds half to even, like torch.round.
 */
export function quantizeForward(x: tf.Tensor, low: tf.Tensor, range: tf.Tensor, levels: number): tf.Tensor {
  const s = tf.div(levels - 1, range);
  const high = tf.add(low, range);
  const clamped = tf.minimum(tf.maximum(x, low), high);
  const zp = tf.round(tf.mul(tf.neg(low), s));
  const q = tf.round(tf.sub(tf.mul(tf.sub(clamped, low), s), zp));
  return tf.div(q, s);
}

/**
 * NNCF TuneRange: widen [low, low+range] so that 0.0 falls exactly on a level.
 * Returns [tunedLow, tunedRange]; its gradient is identity (handled by the callers).
 */
export function tuneRange(low: tf.Tensor, range: tf.Tensor, levels: number): [tf.Tensor, tf.Tensor] {
  const n = levels - 1;
  const high0 = tf.add(range, low);
  const lowC = tf.minimum(low, 0); // input_low[input_low > 0] = 0
  const highC = tf.maximum(high0, 0); // input_high[input_high < 0] = 0
  const scale = tf.div(n, tf.sub(highC, lowC));
  const zp = tf.round(tf.mul(tf.neg(lowC), scale));
  // where() selects without propagating the inf/NaN of the branch not taken (zp == n or zp == 0).
  const candLow = tf.where(tf.less(zp, n), tf.mul(tf.div(zp, tf.sub(zp, n)), highC), lowC);
  const candHigh = tf.where(tf.greater(zp, 0), tf.mul(tf.div(tf.sub(zp, n), zp), lowC), highC);
  const keepHigh = tf.greater(tf.sub(highC, candLow), tf.sub(candHigh, lowC));
  const newLow = tf.where(keepHigh, candLow, lowC);
  const newHigh = tf.where(keepHigh, highC, candHigh);
  return [newLow, tf.sub(newHigh, newLow)];
}

/** NNCF `sum_like`: sum a broadcast gradient back to a parameter's shape ([1] or ones-but-one-axis). */
export function sumToShape(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 1) return tf.reshape(tf.sum(g), shape as number[]);
  if (shape.length !== g.rank) throw new Error(`parameter shape [${shape}] does not match input rank ${g.rank}`);
  const axes: number[] = [];
  shape.forEach((d, i) => {
    if (d === 1 && g.shape[i] !== 1) axes.push(i);
  });
  return axes.length ? tf.sum(g, axes, true) : g;
}

export interface SteGradients {
  dx: tf.Tensor;
  dLow: tf.Tensor;
  dRange: tf.Tensor;
}

/**
 * NNCF `ReferenceQuantize.backward` (§1.4): dx = g·mask_in;
 * dRange = Σ g·(err·mask_in + sign·(level_low/level_high)·mask_lo + mask_hi);
 * dLow = Σ g·(mask_hi + mask_lo). Sums go to the parameter shape.
 */
export function steGradients(
  dy: tf.Tensor,
  x: tf.Tensor,
  low: tf.Tensor,
  range: tf.Tensor,
  levels: number,
  levelLow: number,
  levelHigh: number,
): SteGradients {
  const maskHi = tf.cast(tf.greater(x, tf.add(low, range)), 'float32');
  const maskLo = tf.cast(tf.less(x, low), 'float32');
  const maskIn = tf.sub(tf.sub(1, maskHi), maskLo);
  const sign = tf.sign(range);
  const out = quantizeForward(x, low, range, levels);
  const err = tf.div(tf.sub(out, x), tf.mul(range, sign));
  const loTerm = tf.mul(tf.mul(sign, levelLow / levelHigh), maskLo);
  const perElemRange = tf.add(tf.add(tf.mul(err, maskIn), loTerm), maskHi);
  return {
    dx: tf.mul(dy, maskIn),
    dLow: sumToShape(tf.mul(dy, tf.add(maskHi, maskLo)), low.shape),
    dRange: sumToShape(tf.mul(dy, perElemRange), range.shape),
  };
}
