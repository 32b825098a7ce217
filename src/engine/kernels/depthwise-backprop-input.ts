/**
 * DepthwiseConv2dNativeBackpropInput for wasm (tfjs-backend-wasm has none): dilate and pad dy,
 * flip the filter, run one stride-1 depthwise forward conv (XNNPACK) with the forward dilation;
 * with a channel multiplier m > 1 the m partial results per input channel are summed in JS.
 * (Splitting strided cases by output phase, as conv2d-backprop-input does, measured slower here:
 * XNNPACK's depthwise convs with 1- and 2-tap sub-filters are slow.)
 */
import { type BackpropInputArgs, type BackpropInputAttrs, backpropInputGeometry, dilatedDyPadding } from './backprop-args.js';
import { dilateAndPad } from './dilate-and-pad.js';
import { allocF32, heapF32, release, runWasmKernel, type TensorInfo } from './wasm-backend.js';

export type DepthwiseBackpropInputAttrs = BackpropInputAttrs;

export function depthwiseBackpropInputWasm(args: BackpropInputArgs): TensorInfo {
  const { backend } = args;
  const { dy, filter } = args.inputs;
  const { attrs, g } = backpropInputGeometry(args, true);
  const { batch: N, inH: H, inW: W, inC: C, outC: Cm, kH, kW } = g;
  const m = Cm / C;
  const { pTop, pLeft, pBottom, pRight, Hp, Wp } = dilatedDyPadding(g);

  // Flipped filter, one output per (c, q) channel: [kH, kW, C*m, 1] (same memory order as w).
  const wFlip = allocF32(backend, [kH, kW, Cm, 1]);
  const w = heapF32(backend, filter);
  const wf = heapF32(backend, wFlip);
  for (let t = 0, taps = kH * kW; t < taps; t++) {
    wf.set(w.subarray((taps - 1 - t) * Cm, (taps - t) * Cm), t * Cm);
  }

  const convAttrs = { strides: 1, dilations: [g.dilH, g.dilW] };
  let full: TensorInfo;
  if (g.strideH === 1 && g.strideW === 1 && pTop >= 0 && pLeft >= 0 && pBottom >= 0 && pRight >= 0) {
    const pad = [[0, 0], [pTop, pBottom], [pLeft, pRight], [0, 0]];
    full = runWasmKernel(backend, 'DepthwiseConv2dNative', { x: dy, filter: wFlip }, { ...convAttrs, pad });
  } else {
    const P = allocF32(backend, [N, Hp, Wp, Cm]);
    dilateAndPad(heapF32(backend, dy), heapF32(backend, P), g, Hp, Wp, pTop, pLeft);
    full = runWasmKernel(backend, 'DepthwiseConv2dNative', { x: P, filter: wFlip }, { ...convAttrs, pad: 'valid' });
    release(backend, P);
  }
  release(backend, wFlip);
  if (m === 1) return full;

  const out = allocF32(backend, attrs.inputShape);
  const src = heapF32(backend, full);
  const dst = heapF32(backend, out);
  for (let p = 0, P = N * H * W; p < P; p++) {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let q = 0, o = (p * C + c) * m; q < m; q++) s += src[o + q];
      dst[p * C + c] = s;
    }
  }
  release(backend, full);
  return out;
}
