/**
 * Direct-loop reference for conv gradients (any stride, dilation, padding, depthwise multiplier):
 * the oracle for cases the cpu backend does not cover (dilations in backprop kernels).
 */
import * as tf from '@tensorflow/tfjs-core';

export function naiveConvGrads(
  x: Float32Array, xShape: number[], w: Float32Array, wShape: number[], dy: Float32Array,
  strides: number | [number, number], pad: unknown, dilations: number | [number, number], depthwise: boolean,
): { dx: Float64Array; dw: Float64Array } {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], wShape as [number, number, number, number],
    strides, dilations, pad as 'same', undefined, depthwise,
  );
  const [N, H, W, Ci] = xShape;
  const { outHeight: Ho, outWidth: Wo, outChannels: Co, filterHeight: kH, filterWidth: kW } = info;
  const m = depthwise ? wShape[3] : 0;
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < Ho; oh++)
      for (let ow = 0; ow < Wo; ow++)
        for (let kh = 0; kh < kH; kh++)
          for (let kw = 0; kw < kW; kw++) {
            const i = oh * info.strideHeight + kh * info.dilationHeight - info.padInfo.top;
            const j = ow * info.strideWidth + kw * info.dilationWidth - info.padInfo.left;
            if (i < 0 || i >= H || j < 0 || j >= W) continue;
            const xo = ((n * H + i) * W + j) * Ci;
            const dyo = ((n * Ho + oh) * Wo + ow) * Co;
            for (let co = 0; co < Co; co++) {
              const g = dy[dyo + co];
              if (depthwise) {
                const c = Math.floor(co / m);
                const wi = (kh * kW + kw) * Co + co;
                dx[xo + c] += g * w[wi];
                dw[wi] += g * x[xo + c];
              } else {
                for (let ci = 0; ci < Ci; ci++) {
                  const wi = ((kh * kW + kw) * Ci + ci) * Co + co;
                  dx[xo + ci] += g * w[wi];
                  dw[wi] += g * x[xo + ci];
                }
              }
            }
          }
  return { dx, dw };
}
