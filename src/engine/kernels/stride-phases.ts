/**
 * Sub-pixel ("phase") decomposition of a strided conv's input gradient along one axis. Input rows
 * i = s*q + r (phase r) receive dy only through the taps kh with (r + pad - kh*d) divisible by s:
 *   dx_r[q] = sum_t dy[q + cMin + t*e] * w[tap_t]
 * a stride-1 conv with dilation e over undilated dy. The s phases together do the true MACs,
 * where the dilate-dy formulation multiplies s^2 times more zeros.
 */
export interface AxisPhase {
  /** Phase r: the input rows r, r+s, r+2s, ... */
  r: number;
  /** Rows in this phase. */
  count: number;
  /** Filter taps in conv order (ascending dy offset). Empty: the phase gets no gradient. */
  taps: number[];
  /** Conv dilation over dy. */
  dilation: number;
  /** Zero rows before / after dy so the conv yields at least `count` rows (extra rows dropped). */
  padBefore: number;
  padAfter: number;
}

/** Phases along one axis, or null when some phase would need dy cropped (caller falls back). */
export function axisPhases(inSize: number, outSize: number, k: number, stride: number, dil: number, pad: number): AxisPhase[] | null {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < stride; r++) {
    const count = Math.ceil((inSize - r) / stride);
    if (count <= 0) continue;
    const taps: number[] = [];
    for (let kh = k - 1; kh >= 0; kh--) if ((((r + pad - kh * dil) % stride) + stride) % stride === 0) taps.push(kh);
    if (taps.length === 0) {
      phases.push({ r, count, taps, dilation: 1, padBefore: 0, padAfter: 0 });
      continue;
    }
    const c = (kh: number) => (r + pad - kh * dil) / stride;
    const cMin = c(taps[0]);
    const cMax = c(taps[taps.length - 1]);
    if (cMin > 0) return null;
    const dilation = taps.length > 1 ? c(taps[1]) - cMin : 1;
    phases.push({ r, count, taps, dilation, padBefore: cMin === 0 ? 0 : -cMin, padAfter: Math.max(0, count - 1 + cMax - (outSize - 1)) });
  }
  return phases;
}
