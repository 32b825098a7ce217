import type { ConvGeometry } from './conv-geometry.js';

/**
 * P[n, pTop + oh*s, pLeft + ow*s, :] = dy[n, oh, ow, :], zeros elsewhere: dy spread out by the
 * stride into the input-gradient conv's input. Rows/cols falling outside P are dropped.
 */
export function dilateAndPad(
  dy: Float32Array,
  P: Float32Array,
  g: ConvGeometry,
  Hp: number,
  Wp: number,
  pTop: number,
  pLeft: number,
): void {
  const { batch: N, outH: Ho, outW: Wo, outC: C, strideH, strideW } = g;
  P.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < Ho; oh++) {
      const i = pTop + oh * strideH;
      if (i < 0 || i >= Hp) continue;
      for (let ow = 0; ow < Wo; ow++) {
        const j = pLeft + ow * strideW;
        if (j < 0 || j >= Wp) continue;
        const s = ((n * Ho + oh) * Wo + ow) * C;
        const d = ((n * Hp + i) * Wp + j) * C;
        for (let c = 0; c < C; c++) P[d + c] = dy[s + c];
      }
    }
  }
}
