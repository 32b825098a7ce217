/**
 * A dense (group 1) 2-D Conv as Gather-im2col + one Gemm, forward and backward, in a channels-first,
 * batch-last layout [C, H·W, N] (an NHWC variant, Gather rows of C floats, measured slower on ResNet-18).
 * ORT's Conv with weights as graph inputs (not constants) loses its blocked NCHWc path and runs one
 * small GEMM per image; at small spatial sizes with many channels that is several times slower than one Gemm over the whole batch (engine-notes.md). The batch stays the
 * innermost axis, so every index constant is independent of the batch size (symbolic batches work):
 *   xT    = x as [C, H·W, N], one zero row appended (index H·W), read by every padded position
 *   cols  = Gather(xT, idx)                              [C·k·k, Ho·Wo·N]
 *   y     = W[Co, C·k·k] · cols                          [Co, Ho·Wo·N] → NCHW
 *   dW    = dyT · colsᵀ                                  (cols saved from the forward)
 *   dX    = A[C, Co·k·k] · Gather(dyT + zero row, idx')  where A[c, (co, ij)] = W[co, c, ij] and idx'
 *           picks for each input position and kernel offset the output it fed (or the zero row) —
 *           padding, stride and dilation live in the index constants. Strided: col2im (stridedInputGrad).
 */
import type { GraphEmitter } from '../emitter.js';
import type { ConvGeometry } from './conv-geometry.js';

const kk = (g: ConvGeometry) => g.kernel[0] * g.kernel[1];

/** Index of x (flat over H·W; H·W = the zero row) read by kernel offset ij at output position q. */
function forwardIndices(g: ConvGeometry): number[] {
  const [h, w] = g.inSize;
  const [ho, wo] = g.outSize;
  const at = (ij: number, q: number) => {
    const [i, j] = [Math.floor(ij / g.kernel[1]), ij % g.kernel[1]];
    const r = Math.floor(q / wo) * g.strides[0] + i * g.dilations[0] - g.pads[0];
    const c = (q % wo) * g.strides[1] + j * g.dilations[1] - g.pads[1];
    return r >= 0 && r < h && c >= 0 && c < w ? r * w + c : h * w;
  };
  return offsetMajor(kk(g), ho * wo, at);
}

/** at(ij, q) for every kernel offset ij (major) and position q (minor). */
function offsetMajor(offsets: number, positions: number, at: (ij: number, q: number) => number): number[] {
  const idx: number[] = [];
  for (let ij = 0; ij < offsets; ij++) for (let q = 0; q < positions; q++) idx.push(at(ij, q));
  return idx;
}

/** Index of dy (flat over Ho·Wo; Ho·Wo = the zero row) that input position p received through offset ij. */
function inputGradIndices(g: ConvGeometry, perOffset = false): number[] {
  const [h, w] = g.inSize;
  const [ho, wo] = g.outSize;
  const src = (p: number, a: 0 | 1, k: number, n: number) => {
    const t = p + g.pads[a] - k * g.dilations[a];
    return t % g.strides[a] === 0 && t >= 0 && t / g.strides[a] < n ? t / g.strides[a] : -1;
  };
  const at = (ij: number, p: number) => {
    const oh = src(Math.floor(p / w), 0, Math.floor(ij / g.kernel[1]), ho);
    const ow = src(p % w, 1, ij % g.kernel[1], wo);
    // perOffset: index into [kk·Ho·Wo] (offset-major columns of dC), zero row kk·Ho·Wo
    if (perOffset) return oh >= 0 && ow >= 0 ? ij * ho * wo + oh * wo + ow : kk(g) * ho * wo;
    return oh >= 0 && ow >= 0 ? oh * wo + ow : ho * wo;
  };
  return offsetMajor(kk(g), h * w, at);
}

/** NCHW → [C, H·W, N] with one zero row appended on axis 1 (the row every padded position reads). */
function rowsWithZero(emit: GraphEmitter, t: string, c: number, hw: number, base: string): string {
  const r = emit.reshape(emit.transpose(t, [1, 2, 3, 0], base), [c, hw, -1], base);
  return emit.op('Pad', [r, emit.ints([0, 0, 0, 0, 1, 0])], {}, base);
}

/** [C, H·W·N] → NCHW [N, C, H, W], optionally under a given name. */
function toNchw(
  emit: GraphEmitter,
  t: string,
  c: number,
  h: number,
  w: number,
  base: string,
  out?: string,
): string {
  const r = emit.reshape(t, [c, h, w, -1], base);
  return out
    ? emit.nodeOutputs('Transpose', [r], { perm: [3, 0, 1, 2] }, [out], base)[0]
    : emit.transpose(r, [3, 0, 1, 2], base);
}

/** im2col by one Gather: [K, M] with K = (channel, offset), M = (position, batch). */
function im2col(emit: GraphEmitter, rows: string, indices: number[], k: number, base: string): string {
  return emit.reshape(emit.op('Gather', [rows, emit.ints(indices)], { axis: 1 }, base), [k, -1], base);
}

/** Emits y (named `out`) of Conv(x, w, b?); returns the tensors the backward reuses. */
export function convGemmForward(
  emit: GraphEmitter,
  x: string,
  w: string,
  b: string | undefined,
  out: string,
  g: ConvGeometry,
  base: string,
): Record<string, string> {
  const [h, wd] = g.inSize;
  const cols = im2col(
    emit,
    rowsWithZero(emit, x, g.cin, h * wd, base),
    forwardIndices(g),
    g.cin * kk(g),
    base,
  );
  const wm = emit.reshape(w, [g.cout, g.cin * kk(g)], base);
  const ins = b ? [wm, cols, emit.reshape(b, [g.cout, 1], base)] : [wm, cols];
  toNchw(emit, emit.op('Gemm', ins, {}, base), g.cout, g.outSize[0], g.outSize[1], base, out);
  return { cols };
}

/** dX and dW of the Gemm-form Conv (either may be skipped). */
export function convGemmBackward(
  emit: GraphEmitter,
  w: string,
  dy: string,
  cols: string,
  g: ConvGeometry,
  need: { x: boolean; w: boolean; col2im?: boolean },
  base: string,
): { dx?: string; dw?: string } {
  const [ho, wo] = g.outSize;
  const [h, wd] = g.inSize;
  const dyRows = emit.reshape(emit.transpose(dy, [1, 2, 3, 0], base), [g.cout, ho * wo, -1], base);
  const dw = need.w
    ? emit.reshape(
        emit.op('Gemm', [emit.reshape(dyRows, [g.cout, -1], base), cols], { transB: 1 }, base),
        [g.cout, g.cin, ...g.kernel],
        base,
      )
    : undefined;
  if (!need.x) return { dw };
  if (need.col2im && g.strides.some((st) => st > 1))
    return { dx: stridedInputGrad(emit, w, dyRows, g, base), dw };
  const dyZ = emit.op('Pad', [dyRows, emit.ints([0, 0, 0, 0, 1, 0])], {}, base);
  const dcols = im2col(emit, dyZ, inputGradIndices(g), g.cout * kk(g), base);
  // A[c, (co, ij)] = W[co, c, ij]
  const a = emit.reshape(
    emit.transpose(emit.reshape(w, [g.cout, g.cin, kk(g)], base), [1, 0, 2], base),
    [g.cin, g.cout * kk(g)],
    base,
  );
  return { dx: toNchw(emit, emit.op('Gemm', [a, dcols], {}, base), g.cin, h, wd, base), dw };
}

/**
 * dX of a strided Conv by col2im: dC = Wᵀ·dy holds each output's contribution to every kernel offset
 * ([C·kk, Ho·Wo·N], s² times smaller than the im2col of the zero-inserted dy, and a GEMM s² times
 * smaller); each input position then gathers its contribution from every offset (or the zero row) and
 * sums over the offsets.
 */
function stridedInputGrad(
  emit: GraphEmitter,
  w: string,
  dyRows: string,
  g: ConvGeometry,
  base: string,
): string {
  const [ho, wo] = g.outSize;
  const [h, wd] = g.inSize;
  const dy2 = emit.reshape(dyRows, [g.cout, -1], base);
  const dc = emit.op('Gemm', [emit.reshape(w, [g.cout, g.cin * kk(g)], base), dy2], { transA: 1 }, base);
  const rows = emit.reshape(dc, [g.cin, kk(g) * ho * wo, -1], base);
  const rowsZ = emit.op('Pad', [rows, emit.ints([0, 0, 0, 0, 1, 0])], {}, base);
  const picked = emit.op('Gather', [rowsZ, emit.ints(inputGradIndices(g, true))], { axis: 1 }, base);
  const summed = emit.reduceSum(emit.reshape(picked, [g.cin, kk(g), -1], base), [1], false, base);
  return toNchw(emit, summed, g.cin, h, wd, base);
}
