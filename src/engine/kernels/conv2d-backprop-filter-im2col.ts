/**
 * Conv2DBackpropFilter as one matMul: dW[K*K*Ci, Co] = A[K*K*Ci, P] x dy[P, Co] with P = N*Ho*Wo,
 * where A is the im2col matrix written directly in transposed layout (so no transpose flags:
 * wasm BatchMatMul with transposeA/B takes a ~10x slower path) and dy needs no copy at all
 * (NHWC is already [P, Co]). Faster than the conv formulation on strided and 1x1 layers, where
 * A is small.
 */
import type { ConvGeometry } from './conv-geometry.js';
import { allocF32, heapF32, release, runWasmKernel, type TensorInfo, type WasmBackend, withShape } from './wasm-backend.js';

export function filterGradByIm2col(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, filterShape: number[]): TensorInfo {
  const { batch: N, outH: Ho, outW: Wo, inC: Ci, outC: Co, kH, kW } = g;
  const P = N * Ho * Wo;
  const rows = kH * kW * Ci;
  const A = allocF32(backend, [1, rows, P]);
  im2colTransposed(heapF32(backend, x), heapF32(backend, A), g);
  const out = runWasmKernel(backend, 'BatchMatMul', { a: A, b: withShape(dy, [1, P, Co]) }, { transposeA: false, transposeB: false });
  release(backend, A);
  return withShape(out, filterShape);
}

/** A[(kh*kW + kw)*Ci + ci, (n*Ho + oh)*Wo + ow] = x[n, oh*s + kh*d - pt, ow*s + kw*d - pl, ci], 0 outside. */
function im2colTransposed(x: Float32Array, A: Float32Array, g: ConvGeometry): void {
  const { batch: N, inH: H, inW: W, inC: Ci, outH: Ho, outW: Wo, kH, kW } = g;
  const P = N * Ho * Wo;
  A.fill(0);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const rowBase = (kh * kW + kw) * Ci;
      const shiftW = kw * g.dilW - g.padLeft;
      const owLo = Math.max(0, Math.ceil(-shiftW / g.strideW));
      const owHi = Math.min(Wo, Math.floor((W - 1 - shiftW) / g.strideW) + 1);
      for (let ci = 0; ci < Ci; ci++) {
        const a0 = (rowBase + ci) * P;
        for (let n = 0; n < N; n++) {
          for (let oh = 0; oh < Ho; oh++) {
            const i = oh * g.strideH + kh * g.dilH - g.padTop;
            if (i < 0 || i >= H) continue;
            const xRow = (n * H + i) * W;
            const aRow = a0 + (n * Ho + oh) * Wo;
            for (let ow = owLo; ow < owHi; ow++) A[aRow + ow] = x[(xRow + ow * g.strideW + shiftW) * Ci + ci];
          }
        }
      }
    }
  }
}
