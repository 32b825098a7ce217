import type { Dim } from '../types.js';
import type { ShapeContext, ShapeRule } from './context.js';

/** Spatial output size of a convolution or pooling window (ONNX formulas, including auto_pad and ceil_mode). */
function windowOut(ctx: ShapeContext, spatial: Dim[], kernel: Dim[]): Dim[] {
  const n = spatial.length;
  const strides = ctx.ints('strides') ?? Array(n).fill(1);
  const dil = ctx.ints('dilations') ?? Array(n).fill(1);
  const pads = ctx.ints('pads') ?? Array(2 * n).fill(0);
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  const ceil = ctx.int('ceil_mode', 0) === 1;
  return spatial.map((d, i) => {
    const k = kernel[i];
    if (typeof d !== 'number') return autoPad !== 'NOTSET' && autoPad !== 'VALID' && strides[i] === 1 ? d : null;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(d / strides[i]);
    if (typeof k !== 'number') return null;
    const eff = dil[i] * (k - 1) + 1;
    if (autoPad === 'VALID') return Math.ceil((d - eff + 1) / strides[i]);
    const span = d + pads[i] + pads[i + n] - eff;
    let out = (ceil ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1;
    // ceil_mode: the last window must start inside the (left-padded) input.
    if (ceil && (out - 1) * strides[i] >= d + pads[i]) out--;
    if (out <= 0) ctx.fail(`output size ${out} on spatial axis ${i} (input ${d}, kernel ${k}, pads ${pads[i]},${pads[i + n]}, stride ${strides[i]})`);
    return out;
  });
}

const conv: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  if (!x) return [{ dtype: ctx.dtype(0), shape: null }];
  const kernel = ctx.ints('kernel_shape') ?? (w ? w.slice(2) : Array(x.length - 2).fill(null));
  const group = ctx.int('group', 1);
  if (w && typeof x[1] === 'number' && typeof w[1] === 'number' && x[1] !== w[1] * group)
    ctx.fail(`input has ${x[1]} channels but weight expects ${w[1]} × group ${group}`);
  return [{ dtype: ctx.dtype(0), shape: [x[0], w ? w[0] : null, ...windowOut(ctx, x.slice(2), kernel)] }];
};

const convTranspose: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  if (!x) return [{ dtype: ctx.dtype(0), shape: null }];
  const n = x.length - 2;
  const group = ctx.int('group', 1);
  const channels = w && typeof w[1] === 'number' ? w[1] * group : null;
  const explicit = ctx.ints('output_shape');
  if (explicit) return [{ dtype: ctx.dtype(0), shape: [x[0], channels, ...explicit.slice(-n)] }];
  const kernel = ctx.ints('kernel_shape') ?? (w ? w.slice(2) : Array(n).fill(null));
  const strides = ctx.ints('strides') ?? Array(n).fill(1);
  const dil = ctx.ints('dilations') ?? Array(n).fill(1);
  const pads = ctx.ints('pads') ?? Array(2 * n).fill(0);
  const outPad = ctx.ints('output_padding') ?? Array(n).fill(0);
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  const spatial = x.slice(2).map((d, i) => {
    const k = kernel[i];
    if (typeof d !== 'number' || typeof k !== 'number') return null;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return d * strides[i];
    return strides[i] * (d - 1) + outPad[i] + (k - 1) * dil[i] + 1 - pads[i] - pads[i + n];
  });
  return [{ dtype: ctx.dtype(0), shape: [x[0], channels, ...spatial] }];
};

const pool: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  if (!x) return [{ dtype: ctx.dtype(0), shape: null }, { dtype: 'int64', shape: null }];
  const kernel = ctx.ints('kernel_shape') ?? ctx.fail('kernel_shape attribute is required');
  const shape = [x[0], x[1], ...windowOut(ctx, x.slice(2), kernel)];
  return [{ dtype: ctx.dtype(0), shape }, { dtype: 'int64', shape }];
};

const globalPool: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  return [{ dtype: ctx.dtype(0), shape: x ? [x[0], x[1], ...x.slice(2).map(() => 1)] : null }];
};

export const convRules: Record<string, ShapeRule> = {
  Conv: conv,
  ConvInteger: (ctx) => [{ ...conv(ctx)[0], dtype: 'int32' }],
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
};
