/**
 * DepthwiseConv2dNativeBackpropFilter for wasm (tfjs-backend-wasm has none):
 *   dW[kh,kw,c,q] = sum_{n,oh,ow} x[n, oh*s + kh*d - pad, ., c] * dy[n,oh,ow,c*m+q]
 * as plain typed-array loops with the channel loop innermost (contiguous in x, dy and dW).
 */
import { type BackpropFilterArgs, type BackpropFilterAttrs, backpropFilterGeometry } from './backprop-args.js';
import type { ConvGeometry } from './conv-geometry.js';
import { allocF32, heapF32, type TensorInfo } from './wasm-backend.js';

export type DepthwiseBackpropFilterAttrs = BackpropFilterAttrs;

export function depthwiseBackpropFilterWasm(args: BackpropFilterArgs): TensorInfo {
  const { backend } = args;
  const { x, dy } = args.inputs;
  const { attrs, g } = backpropFilterGeometry(args, true);
  const out = allocF32(backend, attrs.filterShape);
  const acc = new Float64Array(g.kH * g.kW * g.outC);
  depthwiseFilterGrad(heapF32(backend, x), heapF32(backend, dy), acc, g);
  heapF32(backend, out).set(acc);
  return out;
}

export function depthwiseFilterGrad(x: Float32Array, dy: Float32Array, acc: Float64Array, g: ConvGeometry): void {
  if (g.outC === g.inC && g.inC % 4 === 0) return depthwiseFilterGradBlocked(x, dy, acc, g);
  return depthwiseFilterGradGeneric(x, dy, acc, g);
}

/**
 * Multiplier 1, C % 4 == 0: per (n, oh, tap) and four channels, the sum over output columns is
 * kept in locals and added to dW once (typed-array read-modify-writes per MAC were the cost).
 */
function depthwiseFilterGradBlocked(x: Float32Array, dy: Float32Array, acc: Float64Array, g: ConvGeometry): void {
  const { batch: N, inH: H, inW: W, inC: C, outH: Ho, outW: Wo, kH, kW } = g;
  const { strideH: sh, strideW: sw, dilH: dh, dilW: dw, padTop: pt, padLeft: pl } = g;
  const xStep = sw * C;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < Ho; oh++) {
      const dyRow = (n * Ho + oh) * Wo;
      for (let kh = 0; kh < kH; kh++) {
        const i = oh * sh + kh * dh - pt;
        if (i < 0 || i >= H) continue;
        const xRow = (n * H + i) * W;
        for (let kw = 0; kw < kW; kw++) {
          const shift = kw * dw - pl;
          const owLo = Math.max(0, Math.ceil(-shift / sw));
          const owHi = Math.min(Wo, Math.floor((W - 1 - shift) / sw) + 1);
          if (owHi <= owLo) continue;
          const wOff = (kh * kW + kw) * C;
          for (let c = 0; c < C; c += 4) {
            let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            let xi = (xRow + owLo * sw + shift) * C + c;
            let di = (dyRow + owLo) * C + c;
            for (let ow = owLo; ow < owHi; ow++, xi += xStep, di += C) {
              a0 += x[xi] * dy[di];
              a1 += x[xi + 1] * dy[di + 1];
              a2 += x[xi + 2] * dy[di + 2];
              a3 += x[xi + 3] * dy[di + 3];
            }
            acc[wOff + c] += a0;
            acc[wOff + c + 1] += a1;
            acc[wOff + c + 2] += a2;
            acc[wOff + c + 3] += a3;
          }
        }
      }
    }
  }
}

function depthwiseFilterGradGeneric(x: Float32Array, dy: Float32Array, acc: Float64Array, g: ConvGeometry): void {
  const { batch: N, inH: H, inW: W, inC: C, outH: Ho, outW: Wo, outC: Cm, kH, kW } = g;
  const { strideH: sh, strideW: sw, dilH: dh, dilW: dw, padTop: pt, padLeft: pl } = g;
  const m = Cm / C;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < Ho; oh++) {
      const dyRow = (n * Ho + oh) * Wo;
      for (let kh = 0; kh < kH; kh++) {
        const i = oh * sh + kh * dh - pt;
        if (i < 0 || i >= H) continue;
        const xRow = (n * H + i) * W;
        for (let kw = 0; kw < kW; kw++) {
          // Output columns whose input column j = ow*sw + kw*dw - pl lies inside x.
          const shift = kw * dw - pl;
          const owLo = Math.max(0, Math.ceil(-shift / sw));
          const owHi = Math.min(Wo, Math.floor((W - 1 - shift) / sw) + 1);
          const wOff = (kh * kW + kw) * Cm;
          for (let ow = owLo; ow < owHi; ow++) {
            const xo = (xRow + ow * sw + shift) * C;
            const dyo = (dyRow + ow) * Cm;
            if (m === 1) {
              for (let c = 0; c < C; c++) acc[wOff + c] += x[xo + c] * dy[dyo + c];
            } else {
              for (let c = 0; c < C; c++) {
                const xv = x[xo + c];
                for (let q = 0; q < m; q++) acc[wOff + c * m + q] += xv * dy[dyo + c * m + q];
              }
            }
          }
        }
      }
    }
  }
}
