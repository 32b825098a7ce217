/**
 * NNCF `apply_minmax_init(min, max)` as pure float32 math (spec/algorithms.md §1.6).
 * Statistics arrive as one value per scale element (per-tensor: length 1).
 */
import { QuantizerSpecError } from './levels.js';

/** NNCF SCALE_LOWER_THRESHOLD, compared and stored in float32 like the torch tensors. */
export const SCALE_LOWER_THRESHOLD = Math.fround(0.1);
/** Channels narrower than 1 % of the widest channel are widened (asymmetric init). */
export const MIN_RANGE_FRACTION = 1e-2;

export class RangeInitError extends Error {
  override name = 'RangeInitError';
}

export type StatArray = Float32Array | readonly number[];

/** Shared checks of BaseQuantizer.apply_minmax_init. */
export function checkMinMax(min: StatArray, max: StatArray, numel: number, who = 'quantizer'): void {
  if (min.length !== numel || max.length !== numel) {
    throw new QuantizerSpecError(
      `${who}: statistics have ${min.length} min / ${max.length} max values, the scale has ${numel} elements`,
    );
  }
  const allInf = (a: StatArray) => Array.prototype.every.call(a, (v: number) => v === Infinity || v === -Infinity);
  if (allInf(min) || allInf(max)) throw new RangeInitError(`Statistics are not collected for ${who}`);
  for (let i = 0; i < numel; i++) {
    if (min[i] === Infinity || max[i] === -Infinity) {
      throw new RangeInitError(`Some of the values in statistics have infinite value for ${who}`);
    }
    if (Number.isNaN(min[i]) || Number.isNaN(max[i])) throw new RangeInitError(`Statistics contain NaN for ${who}`);
  }
}

export interface SymmetricInit {
  signed: boolean;
  scale: Float32Array;
}

/**
 * signed = any(min < 0) unless signedness is forced (the forced value wins, v2.19.0 code);
 * scale = max(|max|, |min|), elements <= 0.1 replaced by 0.1.
 */
export function symmetricMinMaxInit(min: StatArray, max: StatArray, signedToForce: boolean | null): SymmetricInit {
  let signed = Array.prototype.some.call(min, (v: number) => v < 0);
  if (signedToForce !== null) signed = signedToForce;
  const scale = new Float32Array(min.length);
  for (let i = 0; i < min.length; i++) {
    const absMax = Math.fround(Math.max(Math.abs(max[i]), Math.abs(min[i])));
    scale[i] = absMax > SCALE_LOWER_THRESHOLD ? absMax : SCALE_LOWER_THRESHOLD;
  }
  return { signed, scale };
}

export interface AsymmetricInit {
  inputLow: Float32Array;
  inputRange: Float32Array;
}

/**
 * range = max - min; correction = (clamp(range, 0.01·max(range), max(range)) - range)/2;
 * input_low = min - correction; input_range = range + 2·correction. Float32 at every step.
 */
export function asymmetricMinMaxInit(min: StatArray, max: StatArray): AsymmetricInit {
  const f = Math.fround;
  const n = min.length;
  const ranges = new Float32Array(n);
  for (let i = 0; i < n; i++) ranges[i] = f(max[i] - min[i]);
  let maxRange = -Infinity;
  for (const r of ranges) maxRange = Math.max(maxRange, r);
  const lowBound = f(f(MIN_RANGE_FRACTION) * maxRange);
  const inputLow = new Float32Array(n);
  const inputRange = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const clamped = Math.min(Math.max(ranges[i], lowBound), maxRange);
    const correction = f(f(clamped - ranges[i]) * 0.5);
    inputRange[i] = f(ranges[i] + f(2 * correction));
    inputLow[i] = f(min[i] - correction);
  }
  return { inputLow, inputRange };
}
