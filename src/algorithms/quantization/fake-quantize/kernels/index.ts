/**
 * Tensor-level entry points of the fused fake-quantize kernels, with the same contracts as
 * quantizeForward / steGradients (quantize-math.ts) for the layouts the kernels support:
 * a [1]-sized range (per tensor) or one that is all ones except x's size on one axis.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LevelRange } from '../levels.js';
import type { SteGradients } from '../quantize-math.js';
import { FAKE_QUANTIZE, FAKE_QUANTIZE_GRAD, fusedKernelsAvailable } from './fq-kernels.js';

export { FAKE_QUANTIZE, FAKE_QUANTIZE_GRAD, registerFakeQuantizeKernels } from './fq-kernels.js';
export { fakeQuantizeLoop, layoutOf, roundHalfEven, type Layout } from './fq-forward.js';
export { steGradLoop } from './fq-ste-grad.js';

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * The channel axis of x the kernels would use for these range tensors (-1: per tensor), or null
 * when the fused kernels cannot run them (other backend, dtype or broadcast pattern).
 */
export function fusedChannelAxis(x: tf.Tensor, low: tf.Tensor, range: tf.Tensor): number | null {
  if (x.dtype !== 'float32' || low.dtype !== 'float32' || range.dtype !== 'float32') return null;
  if (!sameShape(low.shape, range.shape) || !fusedKernelsAvailable()) return null;
  if (low.size === 1) return -1;
  if (low.rank !== x.rank) return null;
  const axes = low.shape.flatMap((d, i) => (d === 1 ? [] : [i]));
  return axes.length === 1 && low.shape[axes[0]] === x.shape[axes[0]] ? axes[0] : null;
}

/** quantizeForward(x, low, range, levels) reshaped to x's shape, in one kernel. */
export function fusedFakeQuantize(
  x: tf.Tensor,
  low: tf.Tensor,
  range: tf.Tensor,
  levels: number,
  axis: number,
): tf.Tensor {
  const inputs = { x, low, range } as unknown as tf.NamedTensorMap;
  return tf
    .engine()
    .runKernel(FAKE_QUANTIZE, inputs, { levels, axis } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/**
 * steGradients(dy, x, low, range, …) in one kernel, given y = fusedFakeQuantize(x, low, range, …)
 * (so nothing is recomputed); dx has x's shape, dLow/dRange the params' shapes.
 */
export function fusedSteGradients(
  dy: tf.Tensor,
  x: tf.Tensor,
  y: tf.Tensor,
  low: tf.Tensor,
  range: tf.Tensor,
  lv: LevelRange,
  axis: number,
): SteGradients {
  const inputs = { dy, x, y, low, range } as unknown as tf.NamedTensorMap;
  const attrs = { levelLow: lv.levelLow, levelHigh: lv.levelHigh, axis } as unknown as tf.NamedAttrMap;
  const [dx, dLow, dRange] = tf.engine().runKernel(FAKE_QUANTIZE_GRAD, inputs, attrs) as tf.Tensor[];
  return { dx, dLow, dRange };
}
