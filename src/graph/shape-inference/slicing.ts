import type { Dim } from '../types.js';
import type { ShapeContext, ShapeRule, ValueFacts } from './context.js';
import { dimOp, normAxis } from './dims.js';

const INT64_MAX = 2 ** 62; // ends like INT64_MAX arrive as huge numbers; anything this big means "to the end"

/** Resolved Slice parameters for each axis, or null when any parameter is unknown. */
function sliceParams(ctx: ShapeContext, rank: number) {
  const fromInputs = ctx.opset >= 10;
  const starts = fromInputs ? ctx.numbers(1) : ctx.ints('starts') ?? null;
  const ends = fromInputs ? ctx.numbers(2) : ctx.ints('ends') ?? null;
  const axes = fromInputs ? (ctx.has(3) ? ctx.numbers(3) : starts?.map((_, i) => i) ?? null) : ctx.ints('axes') ?? starts?.map((_, i) => i) ?? null;
  const steps = fromInputs && ctx.has(4) ? ctx.numbers(4) : starts?.map(() => 1) ?? null;
  if (!starts || !ends || !axes || !steps) return null;
  return axes.map((a, i) => ({ axis: normAxis(a, rank, ctx), start: starts[i], end: ends[i], step: steps[i] }));
}

/** Python slice semantics (clamped), as ONNX defines them. */
function sliceRange(dim: number, start: number, end: number, step: number): [number, number, number] {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (end >= INT64_MAX) e = dim;
  if (end <= -INT64_MAX) e = -1;
  if (step > 0) {
    s = clamp(s, 0, dim);
    e = clamp(e, 0, dim);
  } else {
    s = clamp(s, -1, dim - 1);
    e = clamp(e, -1, dim - 1);
  }
  const count = Math.max(0, Math.ceil((e - s) / step));
  return [s, count, step];
}

const slice: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const params = x ? sliceParams(ctx, x.length) : null;
  if (!x || !params) return [{ dtype: ctx.dtype(0), shape: x ? x.map(() => null) : null }];
  const out = x.slice();
  let value = x.length === 1 ? ctx.value(0) : null;
  for (const p of params) {
    const d = x[p.axis];
    if (typeof d !== 'number') {
      // Full-range slices keep a symbolic dim.
      out[p.axis] = p.start === 0 && p.step === 1 && p.end >= INT64_MAX ? d : null;
      value = null;
      continue;
    }
    const [s, count, step] = sliceRange(d, p.start, p.end, p.step);
    out[p.axis] = count;
    if (value) value = Array.from({ length: count }, (_, i) => value![s + i * step]);
  }
  return [{ dtype: ctx.dtype(0), shape: out, ...(value ? { value } : {}) }];
};

const gather: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const idx = ctx.shape(1);
  if (!x || !idx) return [{ dtype: ctx.dtype(0), shape: null }];
  const axis = normAxis(ctx.int('axis', 0), x.length, ctx);
  const facts: ValueFacts = { dtype: ctx.dtype(0), shape: [...x.slice(0, axis), ...idx, ...x.slice(axis + 1)] };
  const data = ctx.value(0);
  const indices = ctx.numbers(1);
  if (data && indices && x.length === 1) facts.value = indices.map((i) => data[i < 0 ? i + data.length : i]);
  return [facts];
};

const concat: ShapeRule = (ctx) => {
  const shapes = ctx.node.inputs.map((_, i) => ctx.shape(i));
  const first = shapes.find((s) => s !== null);
  if (!first || shapes.some((s) => s === null)) return [{ dtype: ctx.dtype(0), shape: first ? first.map(() => null) : null }];
  const axis = normAxis(ctx.int('axis', 0), first.length, ctx);
  const out = first.slice();
  out[axis] = (shapes as Dim[][]).map((s) => s[axis]).reduce((a, b) => dimOp(a, b, '+'));
  const values = ctx.node.inputs.map((_, i) => ctx.value(i));
  const facts: ValueFacts = { dtype: ctx.dtype(0), shape: out };
  if (first.length === 1 && values.every((v) => v)) facts.value = values.flatMap((v) => v!);
  return [facts];
};

const split: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const n = ctx.node.outputs.length;
  if (!x) return ctx.node.outputs.map(() => ({ dtype: ctx.dtype(0), shape: null }));
  const axis = normAxis(ctx.int('axis', 0), x.length, ctx);
  const d = x[axis];
  let sizes: (number | null)[] | null = ctx.has(1) ? ctx.numbers(1) : ctx.ints('split') ?? null;
  if (!sizes && !ctx.has(1) && typeof d === 'number') {
    const chunk = Math.ceil(d / n);
    sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, d - i * chunk)));
  }
  return ctx.node.outputs.map((_, i) => ({ dtype: ctx.dtype(0), shape: x.map((v, j) => (j === axis ? sizes?.[i] ?? null : v)) }));
};

const pad: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const pads = ctx.opset >= 11 ? ctx.numbers(1) : ctx.ints('pads') ?? null;
  if (!x || !pads) return [{ dtype: ctx.dtype(0), shape: x ? x.map(() => null) : null }];
  let full = pads;
  if (ctx.has(3)) {
    // opset 18 `axes` input: pads only for the listed axes.
    const axes = ctx.numbers(3);
    if (!axes) return [{ dtype: ctx.dtype(0), shape: x.map(() => null) }];
    full = Array(2 * x.length).fill(0);
    axes.forEach((a, i) => {
      const ax = normAxis(a, x.length, ctx);
      full[ax] = pads[i];
      full[ax + x.length] = pads[i + axes.length];
    });
  }
  return [{ dtype: ctx.dtype(0), shape: x.map((d, i) => dimOp(dimOp(d, full[i], '+'), full[i + x.length], '+')) }];
};

export const slicingRules: Record<string, ShapeRule> = {
  Slice: slice,
  Gather: gather,
  GatherElements: (ctx) => [{ dtype: ctx.dtype(0), shape: ctx.shape(1) }],
  ScatterElements: (ctx) => [{ dtype: ctx.dtype(0), shape: ctx.shape(0) }],
  ScatterND: (ctx) => [{ dtype: ctx.dtype(0), shape: ctx.shape(0) }],
  Concat: concat,
  Split: split,
  Pad: pad,
};
