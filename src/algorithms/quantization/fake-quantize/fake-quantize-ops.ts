/**
 * The two differentiable fake-quantize ops (tf.customGrad), numerically NNCF's
 * symmetric_quantize / asymmetric_quantize (QuantizeSymmetric, TuneRange + QuantizeAsymmetric).
 * The parametrization (|p| + eps, or exp(p) with logarithm_scale) is folded into the op with its
 * chain rule, so the ops need no gradient registry and run as few kernels as possible.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LevelRange } from './levels.js';
import { quantizeForward, steGradients, tuneRange, type SteGradients } from './quantize-math.js';
import { fusedChannelAxis, fusedFakeQuantize, fusedSteGradients } from './kernels/index.js';

/** NNCF eps added to |scale| / |input_range| (0 with logarithm_scale). */
export const QUANTIZER_EPS = 1e-16;

export interface FakeQuantizeOptions {
  /** The range parameter is log(scale) / log(input_range); eps is then 0. */
  logarithmScale?: boolean;
  /** Overrides the eps added to |param| (default 1e-16; ignored with logarithmScale). */
  eps?: number;
  /** `compression_lr_multiplier`: scales the parameter gradients. */
  lrMultiplier?: number;
  /** Use the one-pass kernels where the backend has them (default true; false: the composed ops). */
  fused?: boolean;
}

/** Fused kernel channel axis for this call, or null for the composed ops. */
function fusedAxis(x: tf.Tensor, low: tf.Tensor, range: tf.Tensor, o: FakeQuantizeOptions): number | null {
  return o.fused === false ? null : fusedChannelAxis(x, low, range);
}

/**
 * FQ(x) with x's shape: the fused kernel where it runs, else quantizeForward. Returns the tensors
 * the gradient needs besides x and the range: the output y for the fused kernel, none otherwise.
 */
function forwardValue(x: tf.Tensor, low: tf.Tensor, range: tf.Tensor, lv: LevelRange, o: FakeQuantizeOptions): [tf.Tensor, tf.Tensor[]] {
  const axis = fusedAxis(x, low, range, o);
  if (axis === null) return [tf.reshape(quantizeForward(x, low, range, lv.levels), x.shape), []];
  const y = fusedFakeQuantize(x, low, range, lv.levels, axis);
  return [y, [y]];
}

/** steGradients, or its fused kernel when the forward saved its output y. */
function gradients(dy: tf.Tensor, x: tf.Tensor, y: tf.Tensor | undefined, low: tf.Tensor, range: tf.Tensor, lv: LevelRange, o: FakeQuantizeOptions): SteGradients {
  const axis = y === undefined ? null : fusedAxis(x, low, range, o);
  if (y !== undefined && axis !== null) return fusedSteGradients(dy, x, y, low, range, lv, axis);
  return steGradients(dy, x, low, range, lv.levels, lv.levelLow, lv.levelHigh);
}

/** scale_safe = |p| + eps, or exp(p). */
function safeRange(p: tf.Tensor, o: FakeQuantizeOptions): tf.Tensor {
  return o.logarithmScale ? tf.exp(p) : tf.add(tf.abs(p), o.eps ?? QUANTIZER_EPS);
}

/** d(safe)/dp: sign(p) for |p| + eps (torch's abs gradient), exp(p) for the log form. */
function safeRangeGrad(g: tf.Tensor, p: tf.Tensor, o: FakeQuantizeOptions): tf.Tensor {
  const d = tf.mul(g, o.logarithmScale ? tf.exp(p) : tf.sign(p));
  return withMultiplier(d, o.lrMultiplier ?? 1);
}

/** The safe (positive) range |p| + eps, or exp(p), as a differentiable op with the same gradient (and lr multiplier) the fake-quantize ops give p. */
export function safeRangeOp(p: tf.Tensor, o: FakeQuantizeOptions = {}): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [param, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([param]);
    return { value: safeRange(param, o), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => safeRangeGrad(dy, saved[0], o) };
  });
  return op(p);
}

function withMultiplier(g: tf.Tensor, m: number): tf.Tensor {
  return m === 1 ? g : tf.mul(g, m);
}

/** input_low / input_range of the symmetric quantizer from a safe (positive) scale. */
export function symmetricRange(scaleSafe: tf.Tensor, lv: LevelRange): [tf.Tensor, tf.Tensor] {
  const low = tf.mul(scaleSafe, lv.levelLow / lv.levelHigh);
  return [low, tf.sub(scaleSafe, low)];
}

/**
 * y = FQ(x) with input_low = s·ll/lh, input_range = s − input_low, s = scale_safe(scale).
 * Gradients: x gets g·mask_in; scale gets NNCF's grad_range (NNCF's QuantizeSymmetric returns
 * grad_range as grad_scale, not the exact derivative through input_low) through the parametrization.
 */
export function symmetricFakeQuantize(x: tf.Tensor, scale: tf.Tensor, lv: LevelRange, o: FakeQuantizeOptions = {}): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, pIn, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [low, range] = symmetricRange(safeRange(pIn, o), lv);
    const [value, forGrad] = forwardValue(xIn, low, range, lv, o);
    save([xIn, pIn, ...forGrad]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ps, ys] = saved;
        const [l, r] = symmetricRange(safeRange(ps, o), lv);
        const g = gradients(dy, xs, ys, l, r, lv, o);
        return [tf.reshape(g.dx, xs.shape), safeRangeGrad(g.dRange, ps, o)];
      },
    };
  });
  return op(x, scale);
}

/**
 * y = FQ(x) over TuneRange(inputLow, safe(inputRange)). TuneRange's gradient is identity, so the
 * STE gradients computed with the tuned range flow straight to inputLow and inputRange.
 */
export function asymmetricFakeQuantize(
  x: tf.Tensor,
  inputLow: tf.Tensor,
  inputRange: tf.Tensor,
  lv: LevelRange,
  o: FakeQuantizeOptions = {},
): tf.Tensor {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, lowIn, rIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [low, range] = tuneRange(lowIn, safeRange(rIn, o), lv.levels);
    const [value, forGrad] = forwardValue(xIn, low, range, lv, o);
    save([xIn, low, range, rIn, ...forGrad]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, l, r, rp, ys] = saved;
        const g = gradients(dy, xs, ys, l, r, lv, o);
        const dLow = withMultiplier(g.dLow, o.lrMultiplier ?? 1);
        return [tf.reshape(g.dx, xs.shape), dLow, safeRangeGrad(g.dRange, rp, o)];
      },
    };
  });
  return op(x, inputLow, inputRange);
}
