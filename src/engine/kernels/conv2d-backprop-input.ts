/**
 * Conv2DBackpropInput for wasm. The built-in wasm kernel is a naive loop (40x slower than the
 * forward conv); instead: dilate dy by the stride and pad it, flip the filter (and swap its
 * channel axes), and run one stride-1 forward conv (XNNPACK) with the forward dilation:
 *   dx[i] = sum_k P[i + k*d] * flip(w)[k],  P = dy dilated by s, padded by (K-1)*d - pad.
 * Strided convs go by output phases instead where possible (conv2d-backprop-input-phases.ts).
 * Also the forward of conv2dTranspose.
 */
import { type BackpropInputArgs, backpropInputGeometry, dilatedDyPadding } from './backprop-args.js';
import { dilateAndPad } from './dilate-and-pad.js';
import { backpropInputByPhases } from './conv2d-backprop-input-phases.js';
import { allocF32, heapF32, release, runWasmKernel, type TensorInfo } from './wasm-backend.js';

export type { BackpropInputAttrs } from './backprop-args.js';

export function conv2dBackpropInputWasm(args: BackpropInputArgs): TensorInfo {
  const { backend } = args;
  const { dy, filter } = args.inputs;
  const { attrs, g } = backpropInputGeometry(args, false);
  const { batch: N, inC: Ci, outC: Co, kH, kW } = g;
  // Padding of the dilated dy so that a VALID stride-1 conv yields exactly H x W.
  const { pTop, pLeft, pBottom, pRight, Hp, Wp } = dilatedDyPadding(g);

  const unitStride = g.strideH === 1 && g.strideW === 1;
  if (!unitStride) {
    // Strided: one small conv per output phase (no zero-stuffed dy) when the geometry allows.
    const byPhase = backpropInputByPhases(backend, dy, filter, g, attrs.inputShape);
    if (byPhase != null) return byPhase;
  }

  const wFlip = allocF32(backend, [kH, kW, Co, Ci]);
  flipFilter(heapF32(backend, filter), heapF32(backend, wFlip), kH, kW, Ci, Co);

  const padsFit = pTop >= 0 && pLeft >= 0 && pBottom >= 0 && pRight >= 0;
  const convAttrs = { strides: 1, dilations: [g.dilH, g.dilW], dataFormat: 'NHWC' };
  let out: TensorInfo;
  if (unitStride && padsFit) {
    // No dilation needed: let the conv pad (no copy of dy at all).
    const pad = [[0, 0], [pTop, pBottom], [pLeft, pRight], [0, 0]];
    out = runWasmKernel(backend, 'Conv2D', { x: dy, filter: wFlip }, { ...convAttrs, pad });
  } else {
    const P = allocF32(backend, [N, Hp, Wp, Co]);
    dilateAndPad(heapF32(backend, dy), heapF32(backend, P), g, Hp, Wp, pTop, pLeft);
    out = runWasmKernel(backend, 'Conv2D', { x: P, filter: wFlip }, { ...convAttrs, pad: 'valid' });
    release(backend, P);
  }
  release(backend, wFlip);
  return out;
}

/** dst[kh,kw,co,ci] = w[kH-1-kh, kW-1-kw, ci, co] */
function flipFilter(w: Float32Array, dst: Float32Array, kH: number, kW: number, Ci: number, Co: number): void {
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const s0 = ((kH - 1 - kh) * kW + (kW - 1 - kw)) * Ci * Co;
      const d0 = (kh * kW + kw) * Co * Ci;
      for (let ci = 0; ci < Ci; ci++) {
        for (let co = 0; co < Co; co++) dst[d0 + co * Ci + ci] = w[s0 + ci * Co + co];
      }
    }
  }
}
