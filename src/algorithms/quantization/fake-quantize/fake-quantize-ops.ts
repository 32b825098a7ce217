/**
 * The two differentiable fake-quantize ops (tf.customGrad), numerically NNCF's
 * QuantizeSymmetric / TuneRange+QuantizeAsymmetric autograd functions.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LevelRange } from './levels.js';
import { quantizeForward, steGradients, tuneRange } from './quantize-math.js';

/** input_low / input_range of the symmetric quantizer from a safe (positive) scale. */
export function symmetricRange(scaleSafe: tf.Tensor, lv: LevelRange): [tf.Tensor, tf.Tensor] {
  const low = tf.mul(scaleSafe, lv.levelLow / lv.levelHigh);
  return [low, tf.sub(scaleSafe, low)];
}

/**
 * y = FQ(x) with input_low = scaleSafe·ll/lh, input_range = scaleSafe − input_low.
 * Gradients: x gets g·mask_in; scaleSafe gets NNCF's grad_range (not the exact derivative through
 * input_low — NNCF's QuantizeSymmetric returns grad_range as grad_scale), times `lrMultiplier`.
 * `scaleSafe` = |scale| + eps (or exp(log_scale)) is formed by the caller with ordinary ops.
 */
export function symmetricFakeQuantize(x: tf.Tensor, scaleSafe: tf.Tensor, lv: LevelRange, lrMultiplier = 1): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, sIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [low, range] = symmetricRange(sIn, lv);
    save([xIn, sIn]);
    return {
      value: tf.reshape(quantizeForward(xIn, low, range, lv.levels), xIn.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ss] = saved;
        const [l, r] = symmetricRange(ss, lv);
        const g = steGradients(dy, xs, l, r, lv.levels, lv.levelLow, lv.levelHigh);
        return [tf.reshape(g.dx, xs.shape), scaleGrad(g.dRange, lrMultiplier)];
      },
    };
  });
  return op(x, scaleSafe);
}

/**
 * y = FQ(x) over TuneRange(inputLow, rangeSafe). TuneRange's gradient is identity, so the
 * STE gradients computed with the tuned range flow straight to inputLow and rangeSafe.
 */
export function asymmetricFakeQuantize(
  x: tf.Tensor,
  inputLow: tf.Tensor,
  rangeSafe: tf.Tensor,
  lv: LevelRange,
  lrMultiplier = 1,
): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, lowIn, rIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [low, range] = tuneRange(lowIn, rIn, lv.levels);
    save([xIn, low, range]);
    return {
      value: tf.reshape(quantizeForward(xIn, low, range, lv.levels), xIn.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, l, r] = saved;
        const g = steGradients(dy, xs, l, r, lv.levels, lv.levelLow, lv.levelHigh);
        return [tf.reshape(g.dx, xs.shape), scaleGrad(g.dLow, lrMultiplier), scaleGrad(g.dRange, lrMultiplier)];
      },
    };
  });
  return op(x, inputLow, rangeSafe);
}

function scaleGrad(g: tf.Tensor, m: number): tf.Tensor {
  return m === 1 ? g : tf.mul(g, m);
}
