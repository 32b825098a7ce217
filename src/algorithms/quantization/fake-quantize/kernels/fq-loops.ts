/**
 * One-pass loops of the fused fake-quantize kernels over plain Float32Arrays. They repeat the op
 * chain of quantize-math.ts step by step in float32 (Math.fround after every rounding step, round
 * half to even like tf.round), so results equal the composed ops; reductions accumulate in float64
 * in memory order, which is the order (and precision) of the cpu backend's Sum.
 * Layout: x viewed as [outer, channels, inner]; parameter c applies to channel c (per tensor: 1).
 */

const f = Math.fround;

export interface Layout {
  outer: number;
  channels: number;
  inner: number;
}

/** x's shape viewed around `axis` (-1: per tensor). */
export function layoutOf(shape: readonly number[], axis: number): Layout {
  const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  if (axis < 0) return { outer: 1, channels: 1, inner: size(shape) };
  return { outer: size(shape.slice(0, axis)), channels: shape[axis], inner: size(shape.slice(axis + 1)) };
}

/** 1.5·2^52: adding and subtracting it rounds a double with |t| < 2^51 to an integer, ties to even. */
const MAGIC = 6755399441055744;
const EXACT = 2 ** 51;

/** tf.round: half to even. Beyond 2^51 every double is an integer already. */
export function roundHalfEven(t: number): number {
  return t < EXACT && t > -EXACT ? t + MAGIC - MAGIC : t;
}

/** tf.sign: 0 for ±0 and NaN. */
const signOf = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);

/** y = round((clamp(x, low, low+range) - low)·s - zp) / s with s = (levels-1)/range, zp = round(-low·s). */
export function fakeQuantizeLoop(
  x: Float32Array, low: Float32Array, range: Float32Array, levels: number, l: Layout, out: Float32Array,
): void {
  for (let o = 0, i = 0; o < l.outer; o++) {
    for (let c = 0; c < l.channels; c++) {
      const lo = low[c];
      const r = range[c];
      const s = f((levels - 1) / r);
      const hi = f(lo + r);
      const zp = roundHalfEven(f(-lo * s));
      for (const end = i + l.inner; i < end; i++) {
        const v = Math.min(Math.max(x[i], lo), hi);
        const t = f(f(f(v - lo) * s) - zp);
        out[i] = (t < EXACT && t > -EXACT ? t + MAGIC - MAGIC : t) / s;
      }
    }
  }
}

/**
 * Straight-through gradients (spec §1.4) in one pass, given the forward output y:
 * dx = dy·mask_in; sumLow[c] = Σ dy·(mask_hi + mask_lo);
 * sumRange[c] = Σ dy·(err·mask_in + sign·(ll/lh)·mask_lo + mask_hi) with err = (y - x)/(range·sign).
 * Every term as the composed ops compute it (so also NaN/Inf and negative ranges agree).
 */
export function steGradLoop(
  dy: Float32Array, x: Float32Array, y: Float32Array, low: Float32Array, range: Float32Array,
  levelLow: number, levelHigh: number, l: Layout,
  dx: Float32Array, sumLow: Float32Array, sumRange: Float32Array,
): void {
  const accLow = new Float64Array(l.channels);
  const accRange = new Float64Array(l.channels);
  const ratio = f(levelLow / levelHigh);
  for (let o = 0, i = 0; o < l.outer; o++) {
    for (let c = 0; c < l.channels; c++) {
      const lo = low[c];
      const r = range[c];
      const hi = f(lo + r);
      const sg = signOf(r);
      const denom = f(r * sg);
      const loTerm = f(sg * ratio);
      let aLow = accLow[c];
      let aRange = accRange[c];
      for (const end = i + l.inner; i < end; i++) {
        const v = x[i];
        const g = dy[i];
        const mHi = v > hi ? 1 : 0;
        const mLo = v < lo ? 1 : 0;
        const mIn = 1 - mHi - mLo;
        const err = f(f(y[i] - v) / denom);
        dx[i] = g * mIn;
        aLow += g * (mHi + mLo);
        aRange += f(g * f(f(err * mIn + loTerm * mLo) + mHi));
      }
      accLow[c] = aLow;
      accRange[c] = aRange;
    }
  }
  sumLow.set(accLow);
  sumRange.set(accRange);
}
