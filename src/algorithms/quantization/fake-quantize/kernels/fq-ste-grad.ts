/**
 * Backward loop of the fused fake-quantize kernel: the straight-through gradients in one pass over
 * plain Float32Arrays, each term in the float32 steps of quantize-math.ts's steGradients.
 */
import type { Layout } from './fq-forward.js';

const f = Math.fround;

/** tf.sign: 0 for ±0 and NaN. */
const signOf = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);

/**
 * Straight-through gradients (spec §1.4) in one pass, given the forward output y:
 * dx = dy·mask_in; sumLow[c] = Σ dy·(mask_hi + mask_lo);
 * sumRange[c] = Σ dy·(err·mask_in + sign·(ll/lh)·mask_lo + mask_hi) with err = (y - x)/(range·sign).
 * Every term as the composed ops compute it (so also NaN/Inf and negative ranges agree).
 * Sums run in float64, each channel in memory order (the cpu backend's Sum).
 */
export function steGradLoop(
  dy: Float32Array,
  x: Float32Array,
  y: Float32Array,
  low: Float32Array,
  range: Float32Array,
  levelLow: number,
  levelHigh: number,
  l: Layout,
  dx: Float32Array,
  sumLow: Float32Array,
  sumRange: Float32Array,
): void {
  const C = l.channels;
  const accLow = new Float64Array(C);
  const accRange = new Float64Array(C);
  const hi = new Float64Array(C);
  const denom = new Float64Array(C);
  const loTerm = new Float64Array(C);
  const ratio = f(levelLow / levelHigh);
  for (let c = 0; c < C; c++) {
    const sg = signOf(range[c]);
    hi[c] = f(low[c] + range[c]);
    denom[c] = f(range[c] * sg);
    loTerm[c] = f(sg * ratio);
  }
  if (l.inner === 1) {
    // Channels last: one flat loop, per-channel constants and sums indexed by a channel counter.
    for (let i = 0, c = 0, n = x.length; i < n; i++) {
      const v = x[i],
        g = dy[i];
      const mHi = v > hi[c] ? 1 : 0;
      const mLo = v < low[c] ? 1 : 0;
      const mIn = 1 - mHi - mLo;
      const err = f(f(y[i] - v) / denom[c]);
      dx[i] = g * mIn;
      accLow[c] += g * (mHi + mLo);
      accRange[c] += f(g * f(f(err * mIn + loTerm[c] * mLo) + mHi));
      if (++c === C) c = 0;
    }
  } else {
    for (let o = 0, i = 0; o < l.outer; o++) {
      for (let c = 0; c < C; c++) {
        const lo = low[c],
          h = hi[c],
          d = denom[c],
          lt = loTerm[c];
        let aLow = accLow[c],
          aRange = accRange[c];
        for (const end = i + l.inner; i < end; i++) {
          const v = x[i],
            g = dy[i];
          const mHi = v > h ? 1 : 0;
          const mLo = v < lo ? 1 : 0;
          const mIn = 1 - mHi - mLo;
          const err = f(f(y[i] - v) / d);
          dx[i] = g * mIn;
          aLow += g * (mHi + mLo);
          aRange += f(g * f(f(err * mIn + lt * mLo) + mHi));
        }
        accLow[c] = aLow;
        accRange[c] = aRange;
      }
    }
  }
  sumLow.set(accLow);
  sumRange.set(accRange);
}
