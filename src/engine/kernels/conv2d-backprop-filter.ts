/**
 * Conv2DBackpropFilter for wasm, computed as one forward conv (XNNPACK):
 *   dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s + kh*d - pad, ., ci] * dy[n,oh,ow,co]
 * is a conv whose "batch" is ci (x viewed as [Ci,H,W,N]), whose "filter" is dy viewed as
 * [Ho,Wo,N,Co], with conv stride = forward dilation and conv dilation = forward stride, VALID
 * over the padded input. 10x faster than per-offset slice + matMul (engine-notes.md). Strided,
 * 1x1 and few-channel layers go by im2col + one matMul instead (conv2d-backprop-filter-im2col.ts).
 */
import { type BackpropFilterArgs, backpropFilterGeometry } from './backprop-args.js';
import { type ConvGeometry, receptiveExtent } from './conv-geometry.js';
import { filterGradByIm2col } from './conv2d-backprop-filter-im2col.js';
import { allocF32, heapF32, release, runWasmKernel, type TensorInfo } from './wasm-backend.js';

export type { BackpropFilterAttrs } from './backprop-args.js';

export function conv2dBackpropFilterWasm(args: BackpropFilterArgs): TensorInfo {
  const { backend } = args;
  const { x, dy } = args.inputs;
  const { attrs, g } = backpropFilterGeometry(args, false);
  const { batch: N, inC: Ci, outH: Ho, outW: Wo, outC: Co } = g;
  if (preferIm2col(g)) return filterGradByIm2col(backend, x, dy, g, attrs.filterShape);
  const ext = receptiveExtent(g);

  const xT = allocF32(backend, [Ci, ext.h, ext.w, N]);
  const dyT = allocF32(backend, [Ho, Wo, N, Co]);
  transposeAndPadInput(heapF32(backend, x), heapF32(backend, xT), g, ext.h, ext.w);
  moveBatchInward(heapF32(backend, dy), heapF32(backend, dyT), N, Ho * Wo, Co);

  const r = runWasmKernel(backend, 'Conv2D', { x: xT, filter: dyT }, {
    strides: [g.dilH, g.dilW],
    dilations: [g.strideH, g.strideW],
    pad: 'valid',
    dataFormat: 'NHWC',
  });
  release(backend, xT, dyT);

  // r is [Ci, kH, kW, Co]; the filter layout is [kH, kW, Ci, Co].
  const out = allocF32(backend, attrs.filterShape);
  const src = heapF32(backend, r);
  const dst = heapF32(backend, out);
  const taps = g.kH * g.kW;
  for (let ci = 0; ci < Ci; ci++) {
    for (let t = 0; t < taps; t++) {
      const s = (ci * taps + t) * Co;
      dst.set(src.subarray(s, s + Co), (t * Ci + ci) * Co);
    }
  }
  release(backend, r);
  return out;
}

/**
 * im2col + matMul wins where its matrix is small or the conv's "batch" (Ci) is tiny: strided, 1x1
 * and stem layers (measured on ResNet-8 shapes; NNCF_FILTER_GRAD=conv|im2col forces one, for
 * benchmarking).
 */
function preferIm2col(g: ConvGeometry): boolean {
  const forced = process.env.NNCF_FILTER_GRAD;
  if (forced === 'conv' || forced === 'im2col') return forced === 'im2col';
  return g.strideH > 1 || g.strideW > 1 || g.kH * g.kW === 1 || g.inC < 8;
}

/** dst[c, i, j, n] = x[n, i - padTop, j - padLeft, c], zero outside x. */
function transposeAndPadInput(x: Float32Array, dst: Float32Array, g: ConvGeometry, Hp: number, Wp: number): void {
  const { batch: N, inH: H, inW: W, inC: C, padTop, padLeft } = g;
  dst.fill(0);
  const i0 = Math.max(0, padTop);
  const i1 = Math.min(Hp, H + padTop);
  const j0 = Math.max(0, padLeft);
  const j1 = Math.min(Wp, W + padLeft);
  const planeStride = Hp * Wp * N;
  for (let n = 0; n < N; n++) {
    for (let i = i0; i < i1; i++) {
      const xRow = ((n * H + (i - padTop)) * W - padLeft) * C;
      const dRow = i * Wp * N + n;
      for (let j = j0; j < j1; j++) {
        const xs = xRow + j * C;
        let d = dRow + j * N;
        for (let c = 0; c < C; c++, d += planeStride) dst[d] = x[xs + c];
      }
    }
  }
}

/** [N, P, C] -> [P, N, C]: copies contiguous channel vectors. */
export function moveBatchInward(src: Float32Array, dst: Float32Array, N: number, P: number, C: number): void {
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      const s = (n * P + p) * C;
      dst.set(src.subarray(s, s + C), (p * N + n) * C);
    }
  }
}
