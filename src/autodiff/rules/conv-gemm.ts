/**
 * A dense (group 1) 2-D Conv as Gather-im2col + one Gemm, forward and backward, in a channels-first,
 * batch-last layout [C, H·W, N]. ORT's Conv with weights as graph inputs (not constants) loses its
 * blocked NCHWc path and runs one small GEMM per image; at small spatial sizes with many channels that
 * is several times slower than one Gemm over the whole batch (engine-notes.md). The batch stays the
 * innermost axis, so every index constant is independent of the batch size (symbolic batches work):
 *   xT    = x as [C, H·W, N], one zero row appended (index H·W), read by every padded position
 *   cols  = Gather(xT, idx)                              [C·k·k, Ho·Wo·N]
 *   y     = W[Co, C·k·k] · cols                          [Co, Ho·Wo·N] → NCHW
 *   dW    = dyT · colsᵀ                                  (cols saved from the forward)
 *   dX    = A[C, Co·k·k] · Gather(dyT + zero row, idx')  where A[c, (co, ij)] = W[co, c, ij] and idx'
 *           picks for each input position and kernel offset the output it fed (or the zero row) —
 *           padding, stride and dilation live in the index constants.
 */
import type { GraphEmitter } from '../emitter.js';
import type { ConvGeometry } from './conv-geometry.js';

const kk = (g: ConvGeometry) => g.kernel[0] * g.kernel[1];

/** Index of x (flat over H·W; H·W = the zero row) read by kernel offset ij at output position q. */
function forwardIndices(g: ConvGeometry, offsetMajor: boolean): number[] {
  const [h, w] = g.inSize;
  const [ho, wo] = g.outSize;
  const at = (ij: number, q: number) => {
    const [i, j] = [Math.floor(ij / g.kernel[1]), ij % g.kernel[1]];
    const r = Math.floor(q / wo) * g.strides[0] + i * g.dilations[0] - g.pads[0];
    const c = (q % wo) * g.strides[1] + j * g.dilations[1] - g.pads[1];
    return r >= 0 && r < h && c >= 0 && c < w ? r * w + c : h * w;
  };
  return ordered(kk(g), ho * wo, offsetMajor, at);
}

/** at(ij, q) for every kernel offset ij and position q: offset-major or position-major order. */
function ordered(offsets: number, positions: number, offsetMajor: boolean, at: (ij: number, q: number) => number): number[] {
  const idx: number[] = [];
  if (offsetMajor) for (let ij = 0; ij < offsets; ij++) for (let q = 0; q < positions; q++) idx.push(at(ij, q));
  else for (let q = 0; q < positions; q++) for (let ij = 0; ij < offsets; ij++) idx.push(at(ij, q));
  return idx;
}

/** Index of dy (flat over Ho·Wo; Ho·Wo = the zero row) that input position p received through offset ij. */
function inputGradIndices(g: ConvGeometry, offsetMajor: boolean): number[] {
  const [h, w] = g.inSize;
  const [ho, wo] = g.outSize;
  const src = (p: number, a: 0 | 1, k: number, n: number) => {
    const t = p + g.pads[a] - k * g.dilations[a];
    return t % g.strides[a] === 0 && t >= 0 && t / g.strides[a] < n ? t / g.strides[a] : -1;
  };
  const at = (ij: number, p: number) => {
    const oh = src(Math.floor(p / w), 0, Math.floor(ij / g.kernel[1]), ho);
    const ow = src(p % w, 1, ij % g.kernel[1], wo);
    return oh >= 0 && ow >= 0 ? oh * wo + ow : ho * wo;
  };
  return ordered(kk(g), h * w, offsetMajor, at);
}

/**
 * 'batch-last': [C, H·W, N], Gather copies rows of N floats (best for few channels, e.g. an RGB stem);
 * 'nhwc': [N, H·W, C], Gather copies rows of C floats (best for many channels).
 */
export type ConvGemmLayout = 'batch-last' | 'nhwc';

const PERM_IN: Record<ConvGemmLayout, number[]> = { 'batch-last': [1, 2, 3, 0], nhwc: [0, 2, 3, 1] };
const PERM_OUT: Record<ConvGemmLayout, number[]> = { 'batch-last': [3, 0, 1, 2], nhwc: [0, 3, 1, 2] };

/** NCHW → the layout's [·, H·W, ·] with one zero row appended on axis 1. */
function spatialRowsWithZero(emit: GraphEmitter, t: string, c: number, hw: number, layout: ConvGemmLayout, base: string): string {
  const dims = layout === 'nhwc' ? [-1, hw, c] : [c, hw, -1];
  const r = emit.reshape(emit.transpose(t, PERM_IN[layout], base), dims, base);
  return emit.op('Pad', [r, emit.ints([0, 0, 0, 0, 1, 0])], {}, base);
}

/** The Gemm's 2-D result ([C, H·W·N] or [N·H·W, C]) → NCHW, optionally under a given name. */
function toNchw(emit: GraphEmitter, t: string, c: number, h: number, w: number, layout: ConvGemmLayout, base: string, out?: string): string {
  const r = emit.reshape(t, layout === 'nhwc' ? [-1, h, w, c] : [c, h, w, -1], base);
  const perm = PERM_OUT[layout];
  return out ? emit.nodeOutputs('Transpose', [r], { perm }, [out], base)[0] : emit.transpose(r, perm, base);
}

/** im2col by one Gather: [K, M] (batch-last: K = (c, ij)) or [M, K] (nhwc: K = (ij, c)). */
function im2col(emit: GraphEmitter, rows: string, indices: number[], k: number, layout: ConvGemmLayout, base: string): string {
  const gathered = emit.op('Gather', [rows, emit.ints(indices)], { axis: 1 }, base);
  return emit.reshape(gathered, layout === 'nhwc' ? [-1, k] : [k, -1], base);
}

/** W [Co, C, kh, kw] as the Gemm operand of the layout: [Co, C·kk] or [kk·C, Co]. */
function weightMatrix(emit: GraphEmitter, w: string, g: ConvGeometry, layout: ConvGemmLayout, base: string): string {
  if (layout === 'batch-last') return emit.reshape(w, [g.cout, g.cin * kk(g)], base);
  return emit.reshape(emit.transpose(w, [2, 3, 1, 0], base), [kk(g) * g.cin, g.cout], base);
}

/** Emits y (named `out`) of Conv(x, w, b?); returns the tensors the backward reuses. */
export function convGemmForward(
  emit: GraphEmitter,
  x: string,
  w: string,
  b: string | undefined,
  out: string,
  g: ConvGeometry,
  layout: ConvGemmLayout,
  base: string,
): Record<string, string> {
  const [h, wd] = g.inSize;
  const rows = spatialRowsWithZero(emit, x, g.cin, h * wd, layout, base);
  const cols = im2col(emit, rows, forwardIndices(g, layout === 'batch-last'), g.cin * kk(g), layout, base);
  const wm = weightMatrix(emit, w, g, layout, base);
  const bias = b && emit.reshape(b, layout === 'nhwc' ? [g.cout] : [g.cout, 1], base);
  const ins = layout === 'nhwc' ? [cols, wm] : [wm, cols];
  const y2 = emit.op('Gemm', bias ? [...ins, bias] : ins, {}, base);
  toNchw(emit, y2, g.cout, g.outSize[0], g.outSize[1], layout, base, out);
  return { cols };
}

/** dX and dW of the Gemm-form Conv (either may be skipped). */
export function convGemmBackward(
  emit: GraphEmitter,
  w: string,
  dy: string,
  cols: string,
  g: ConvGeometry,
  layout: ConvGemmLayout,
  need: { x: boolean; w: boolean },
  base: string,
): { dx?: string; dw?: string } {
  const [ho, wo] = g.outSize;
  const [h, wd] = g.inSize;
  const nhwc = layout === 'nhwc';
  const dyRows = emit.reshape(emit.transpose(dy, PERM_IN[layout], base), nhwc ? [-1, ho * wo, g.cout] : [g.cout, ho * wo, -1], base);
  let dw: string | undefined;
  if (need.w) {
    const dy2 = emit.reshape(dyRows, nhwc ? [-1, g.cout] : [g.cout, -1], base);
    // batch-last: dy2[Co, M]·colsᵀ = [Co, C·kk]; nhwc: colsᵀ·dy2[M, Co] = [kk·C, Co]
    const prod = nhwc ? emit.op('Gemm', [cols, dy2], { transA: 1 }, base) : emit.op('Gemm', [dy2, cols], { transB: 1 }, base);
    dw = nhwc
      ? emit.transpose(emit.reshape(prod, [...g.kernel, g.cin, g.cout], base), [3, 2, 0, 1], base)
      : emit.reshape(prod, [g.cout, g.cin, ...g.kernel], base);
  }
  if (!need.x) return { dw };
  const dyZ = emit.op('Pad', [dyRows, emit.ints([0, 0, 0, 0, 1, 0])], {}, base);
  const dcols = im2col(emit, dyZ, inputGradIndices(g, !nhwc), g.cout * kk(g), layout, base);
  // A[c, (co, ij)] = W[co, c, ij] (batch-last) or A[(ij, co), c] (nhwc)
  const a = nhwc
    ? emit.reshape(emit.transpose(w, [2, 3, 0, 1], base), [kk(g) * g.cout, g.cin], base)
    : emit.reshape(emit.transpose(emit.reshape(w, [g.cout, g.cin, kk(g)], base), [1, 0, 2], base), [g.cin, g.cout * kk(g)], base);
  const dx2 = emit.op('Gemm', nhwc ? [dcols, a] : [a, dcols], {}, base);
  return { dx: toNchw(emit, dx2, g.cin, h, wd, layout, base), dw };
}
