/**
 * dW of a Conv as one product per kernel offset (engine-notes: faster on ORT than im2col or a
 * batch/channel-transposed Conv). x is padded and viewed channels-first ([Ci, N, H, W]) once; each
 * offset slices the strided window and multiplies:
 *   dense:     dW[:, :, i, j] = dyᵀ[Co, N·Ho·Wo] · x_ijᵀ      (one Gemm)
 *   depthwise: dW[c, 0, i, j] = Σ_{n,h,w} dy · x_ij            (Mul + ReduceSum)
 *   grouped:   the dense form per group on its channel slices, concatenated
 */
import type { GraphEmitter } from '../emitter.js';
import { AutodiffError } from '../errors.js';
import { isDepthwise, type ConvGeometry } from './conv-geometry.js';

function padded(emit: GraphEmitter, x: string, g: ConvGeometry, base: string): string {
  const [t, l, b, r] = g.pads;
  if (t + l + b + r === 0) return x;
  // Rank-4 pads in the layout of `x` (spatial axes 2 and 3 in both NCHW and the [Ci, N, H, W] view).
  return emit.op('Pad', [x, emit.ints([0, 0, t, l, 0, 0, b, r])], {}, base);
}

/** The strided window of x read by kernel offset (i, j): ends stop after the last output position. */
function window(emit: GraphEmitter, xp: string, g: ConvGeometry, i: number, j: number, base: string): string {
  const start = [i * g.dilations[0], j * g.dilations[1]];
  const end = [0, 1].map((a) => start[a] + (g.outSize[a] - 1) * g.strides[a] + 1);
  const full = [0, 1].every(
    (a) => start[a] === 0 && end[a] === g.inSize[a] + g.pads[a] + g.pads[a + 2] && g.strides[a] === 1,
  );
  return full ? xp : emit.slice(xp, start, end, [2, 3], g.strides, base);
}

/**
 * One gradient slice per kernel offset (i, j), row-major, stacked on a new `axis` and reshaped to the
 * weight's shape. A 1×1 kernel needs no stacking.
 */
function stackPerOffset(
  emit: GraphEmitter,
  g: ConvGeometry,
  axis: number,
  perOffset: (i: number, j: number) => string,
  shape: number[],
  base: string,
): string {
  const [kh, kw] = g.kernel;
  const parts: string[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) parts.push(perOffset(i, j));
  if (parts.length === 1) return emit.reshape(parts[0], shape, base);
  const stacked = emit.op(
    'Concat',
    parts.map((p) => emit.unsqueeze(p, [axis], base)),
    { axis },
    base,
  );
  return emit.reshape(stacked, shape, base);
}

function denseWeightGrad(emit: GraphEmitter, x: string, dy: string, g: ConvGeometry, base: string): string {
  const dyT = emit.reshape(emit.transpose(dy, [1, 0, 2, 3], base), [g.cout, -1], base);
  const xT = padded(emit, emit.transpose(x, [1, 0, 2, 3], base), g, base);
  const perOffset = (i: number, j: number) => {
    const cols = emit.reshape(window(emit, xT, g, i, j, base), [g.cin, -1], base);
    return emit.op('Gemm', [dyT, cols], { transB: 1 }, base);
  };
  return stackPerOffset(emit, g, 2, perOffset, [g.cout, g.cin, ...g.kernel], base);
}

function depthwiseWeightGrad(
  emit: GraphEmitter,
  x: string,
  dy: string,
  g: ConvGeometry,
  base: string,
): string {
  const xp = padded(emit, x, g, base);
  const perOffset = (i: number, j: number) =>
    emit.reduceSum(emit.op('Mul', [window(emit, xp, g, i, j, base), dy], {}, base), [0, 2, 3], false, base);
  return stackPerOffset(emit, g, 1, perOffset, [g.cout, 1, ...g.kernel], base);
}

export function convWeightGrad(
  emit: GraphEmitter,
  x: string,
  dy: string,
  g: ConvGeometry,
  base: string,
): string {
  if (g.group === 1) return denseWeightGrad(emit, x, dy, g, base);
  if (isDepthwise(g)) return depthwiseWeightGrad(emit, x, dy, g, base);
  return groupedWeightGrad(emit, x, dy, g, base);
}

/** group > 1, not depthwise: the dense gradient of each group's channel slices, stacked on the output axis. */
function groupedWeightGrad(emit: GraphEmitter, x: string, dy: string, g: ConvGeometry, base: string): string {
  if (g.cin % g.group || g.cout % g.group)
    throw new AutodiffError(`${base}: Conv group=${g.group} does not divide ${g.cin}→${g.cout} channels`);
  const [ci, co] = [g.cin / g.group, g.cout / g.group];
  const one = { ...g, cin: ci, cout: co, group: 1 };
  const parts = Array.from({ length: g.group }, (_, k) =>
    denseWeightGrad(
      emit,
      emit.slice(x, [k * ci], [(k + 1) * ci], [1], undefined, base),
      emit.slice(dy, [k * co], [(k + 1) * co], [1], undefined, base),
      one,
      base,
    ),
  );
  return emit.op('Concat', parts, { axis: 0 }, base);
}
