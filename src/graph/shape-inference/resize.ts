import type { Dim } from '../types.js';
import type { ShapeContext, ShapeRule } from './context.js';

/** Output size from scales (floor(d·s), as ONNX specifies) or explicit sizes; opset 18 `axes` honoured. */
function scaled(ctx: ShapeContext, x: Dim[], scales: number[] | null, sizes: number[] | null): Dim[] {
  const axes = ctx.ints('axes') ?? x.map((_, i) => i);
  const out = x.slice();
  axes.forEach((a, i) => {
    const ax = a < 0 ? a + x.length : a;
    if (sizes) out[ax] = sizes[i];
    else if (scales) {
      const d = x[ax];
      out[ax] = typeof d === 'number' ? Math.floor(d * scales[i] + 1e-6) : scales[i] === 1 ? d : null;
    } else out[ax] = null;
  });
  return out;
}

const resize: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  if (!x) return [{ dtype: ctx.dtype(0), shape: null }];
  // opset 10: (X, scales); opset 11+: (X, roi, scales, sizes)
  const scalesAt = ctx.opset >= 11 ? 2 : 1;
  const sizes = ctx.opset >= 11 && ctx.has(3) ? ctx.numbers(3) : null;
  const scales = ctx.has(scalesAt) ? ctx.numbers(scalesAt) : null;
  const usable = scales && scales.length > 0 ? scales : null;
  if (!sizes && !usable) return [{ dtype: ctx.dtype(0), shape: x.map(() => null) }];
  return [{ dtype: ctx.dtype(0), shape: scaled(ctx, x, usable, sizes) }];
};

const upsample: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const scales = ctx.has(1) ? ctx.numbers(1) : ctx.attr('scales')?.type === 'floats' ? (ctx.attr('scales')!.value as number[]) : null;
  if (!x) return [{ dtype: ctx.dtype(0), shape: null }];
  return [{ dtype: ctx.dtype(0), shape: scales ? scaled(ctx, x, scales, null) : x.map(() => null) }];
};

export const resizeRules: Record<string, ShapeRule> = { Resize: resize, Upsample: upsample };
