/**
 * NNCF's binarization functions on tfjs (nncf/torch/binarization/binarize_functions.py), ONNX layout:
 * - weights (straight-through: dw = dy): xnor `sign(w)·mean(|w|)` per output channel (dims 1,2,3),
 *   dorefa with one mean over the tensor; sign maps 0 to −1 (`(w > 0)·2 − 1`);
 * - activations: `y = s·[x > sigmoid(t)·s]` with s = exp(scale) (scale stored as log, per tensor) and
 *   t the per-channel threshold logit; NNCF's backward: with ml = [x ≤ s],
 *   dx = g·[x ≥ 0]·ml, ds = Σ g·(ml·(y − x)/s + 1 − ml), dthr = Σ_{all but channels} −g·[x > 0]·[x < s],
 *   chained through exp and sigmoid as torch's autograd does for the stored parameters, then
 *   multiplied by compression_lr_multiplier (NNCF's CompressionParameter).
 */
import * as tf from '@tensorflow/tfjs-core';

export type BinarizationMode = 'xnor' | 'dorefa';

/** The binarized weight (no gradient rule: the caller wraps it in the straight-through estimator). */
export function binarizeWeightValue(w: tf.Tensor, mode: BinarizationMode): tf.Tensor {
  return tf.tidy(() => {
    const axes = mode === 'xnor' ? w.shape.slice(1).map((_, i) => i + 1) : w.shape.map((_, i) => i);
    const alpha = tf.mean(tf.abs(w), axes, true);
    const sign = tf.sub(tf.mul(tf.cast(tf.greater(w, 0), 'float32'), 2), 1);
    return tf.mul(sign, alpha);
  });
}

/** Weight binarization with the straight-through gradient. */
export function binarizeWeight(w: tf.Tensor, mode: BinarizationMode): tf.Tensor {
  const f = tf.customGrad((x, save) => {
    void save;
    return { value: binarizeWeightValue(x as tf.Tensor, mode), gradFunc: (dy: tf.Tensor) => [dy] };
  });
  return f(w);
}

/** Reduces a gradient to a parameter's shape (torch sums a broadcast gradient back, as sum_to). */
function sumTo(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = g.shape.flatMap((d, i) => ((shape[i] ?? 1) === 1 && d !== 1 ? [i] : []));
  const r = axes.length ? tf.sum(g, axes, true) : g;
  return tf.reshape(r, shape as number[]);
}

/** The forward value of activation binarization for given (stored) scale and threshold. */
export function binarizeActivationValue(x: tf.Tensor, scaleLog: tf.Tensor, thresholdLogit: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const s = tf.exp(scaleLog);
    const t = tf.mul(tf.sigmoid(thresholdLogit), s);
    return tf.mul(tf.cast(tf.greater(x, t), 'float32'), s);
  });
}

/** Activation binarization with NNCF's gradients to x, the log-scale and the threshold logits. */
export function binarizeActivation(x: tf.Tensor, scaleLog: tf.Tensor, thresholdLogit: tf.Tensor, lrMultiplier = 1): tf.Tensor {
  const f = tf.customGrad((xi, sl, tl, save) => {
    const [xx, scale, thr] = [xi as tf.Tensor, sl as tf.Tensor, tl as tf.Tensor];
    const y = binarizeActivationValue(xx, scale, thr);
    (save as tf.GradSaveFunc)([xx, scale, thr, y]);
    return {
      value: y,
      gradFunc: (g: tf.Tensor, saved: tf.Tensor[]) => {
        const [x0, sLog, tLogit, y0] = saved;
        const s = tf.exp(sLog);
        const ml = tf.cast(tf.lessEqual(x0, s), 'float32');
        const dx = tf.mul(tf.mul(g, tf.cast(tf.greaterEqual(x0, 0), 'float32')), ml);
        const err = tf.div(tf.sub(y0, x0), s);
        const ds = tf.sum(tf.mul(g, tf.add(tf.mul(ml, err), tf.sub(1, ml))));
        const dthr = tf.mul(tf.neg(g), tf.mul(tf.cast(tf.greater(x0, 0), 'float32'), tf.cast(tf.less(x0, s), 'float32')));
        const sig = tf.sigmoid(tLogit);
        const dScaleLog = tf.reshape(tf.mul(tf.mul(ds, s), lrMultiplier), sLog.shape);
        const dThrLogit = tf.mul(tf.mul(sumTo(dthr, tLogit.shape), tf.mul(sig, tf.sub(1, sig))), lrMultiplier);
        return [dx, dScaleLog, dThrLogit];
      },
    };
  });
  return f(x, scaleLog, thresholdLogit);
}

/** NNCF's scale initialization: the smallest of the top 0.1 % values (top_num = max(1, round(0.001·N))). */
export function initialScale(x: tf.Tensor): number {
  const n = x.size;
  const k = Math.max(1, roundHalfEven(n * 0.001));
  return tf.tidy(() => tf.min(tf.topk(tf.reshape(x, [n]), k).values).dataSync()[0]);
}

/** Python's round(): halves to the even neighbour. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
