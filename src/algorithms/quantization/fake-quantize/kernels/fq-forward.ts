/**
 * Forward loop of the fused fake-quantize kernel over plain Float32Arrays. It repeats the op chain
 * of quantize-math.ts step by step in float32 (Math.fround after every rounding step, round half
 * to even like tf.round), so results equal the composed ops.
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

/** One element: round((clamp(x, lo, hi) - lo)·s - zp) / s in float32 steps. */
function fq1(x: number, lo: number, hi: number, s: number, zp: number): number {
  const t = f(f(f(Math.min(Math.max(x, lo), hi) - lo) * s) - zp);
  return (t < EXACT && t > -EXACT ? t + MAGIC - MAGIC : t) / s;
}

/**
 * y = round((clamp(x, low, low+range) - low)·s - zp) / s with s = (levels-1)/range, zp = round(-low·s).
 * Per-channel constants are computed once; channels-last (inner 1) runs one flat loop.
 */
export function fakeQuantizeLoop(
  x: Float32Array,
  low: Float32Array,
  range: Float32Array,
  levels: number,
  l: Layout,
  out: Float32Array,
): void {
  const C = l.channels;
  const hi = new Float64Array(C);
  const s = new Float64Array(C);
  const zp = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    s[c] = f((levels - 1) / range[c]);
    hi[c] = f(low[c] + range[c]);
    zp[c] = roundHalfEven(f(-low[c] * s[c]));
  }
  if (l.inner === 1) {
    for (let i = 0, c = 0, n = x.length; i < n; i++) {
      out[i] = fq1(x[i], low[c], hi[c], s[c], zp[c]);
      if (++c === C) c = 0;
    }
    return;
  }
  for (let o = 0, i = 0; o < l.outer; o++) {
    for (let c = 0; c < C; c++) {
      const lo = low[c],
        h = hi[c],
        sc = s[c],
        z = zp[c];
      for (const end = i + l.inner; i < end; i++) out[i] = fq1(x[i], lo, h, sc, z);
    }
  }
}
