/**
 * Strided Conv2DBackpropInput as s_h*s_w stride-1 forward convs (XNNPACK) over undilated dy, one
 * per output phase, interleaved into dx (see stride-phases.ts). 3x3 stride 2: 4 small convs with
 * 2x2, 2x1, 1x2 and 1x1 sub-filters instead of one 3x3 conv over a 4x larger zero-stuffed dy.
 */
import type { ConvGeometry } from './conv-geometry.js';
import { axisPhases } from './stride-phases.js';
import { allocF32, heapF32, release, runWasmKernel, type TensorInfo, type WasmBackend } from './wasm-backend.js';

export function backpropInputByPhases(
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
  inputShape: number[],
): TensorInfo | null {
  const rows = axisPhases(g.inH, g.outH, g.kH, g.strideH, g.dilH, g.padTop);
  const cols = axisPhases(g.inW, g.outW, g.kW, g.strideW, g.dilW, g.padLeft);
  if (rows == null || cols == null) return null;
  const { batch: N, inH: H, inW: W, inC: Ci, outC: Co, kW } = g;
  const dx = allocF32(backend, inputShape);
  heapF32(backend, dx).fill(0);
  for (const ph of rows) {
    for (const pw of cols) {
      if (ph.taps.length === 0 || pw.taps.length === 0) continue;
      const Th = ph.taps.length;
      const Tw = pw.taps.length;
      const sub = allocF32(backend, [Th, Tw, Co, Ci]);
      const w = heapF32(backend, filter);
      const sv = heapF32(backend, sub);
      for (let th = 0; th < Th; th++) {
        for (let tw = 0; tw < Tw; tw++) {
          const src = (ph.taps[th] * kW + pw.taps[tw]) * Ci * Co;
          const dst = (th * Tw + tw) * Co * Ci;
          for (let ci = 0; ci < Ci; ci++) for (let co = 0; co < Co; co++) sv[dst + co * Ci + ci] = w[src + ci * Co + co];
        }
      }
      const out = runWasmKernel(backend, 'Conv2D', { x: dy, filter: sub }, {
        strides: 1,
        dilations: [ph.dilation, pw.dilation],
        pad: [[0, 0], [ph.padBefore, ph.padAfter], [pw.padBefore, pw.padAfter], [0, 0]],
        dataFormat: 'NHWC',
      });
      release(backend, sub);
      interleave(heapF32(backend, out), out.shape, heapF32(backend, dx), N, H, W, Ci, g.strideH, g.strideW, ph, pw);
      release(backend, out);
    }
  }
  return dx;
}

/** dx[n, r + s*q, rw + s*p, :] = out[n, q, p, :] for the phase's rows/cols (extra rows dropped). */
function interleave(
  out: Float32Array, outShape: number[], dx: Float32Array, N: number, H: number, W: number, C: number,
  sh: number, sw: number, ph: { r: number; count: number }, pw: { r: number; count: number },
): void {
  const [, OH, OW] = outShape;
  for (let n = 0; n < N; n++) {
    for (let q = 0; q < ph.count; q++) {
      const i = ph.r + sh * q;
      const srcRow = (n * OH + q) * OW;
      const dstRow = (n * H + i) * W;
      for (let p = 0; p < pw.count; p++) {
        const s0 = (srcRow + p) * C;
        const d0 = (dstRow + pw.r + sw * p) * C;
        for (let c = 0; c < C; c++) dx[d0 + c] = out[s0 + c];
      }
    }
  }
}
