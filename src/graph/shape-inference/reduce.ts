import type { ShapeContext, ShapeRule } from './context.js';
import { normAxis } from './dims.js';

const REDUCE_OPS = ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

/** Axes moved from attribute to input: ReduceSum at opset 13, the others at 18. */
function axesFromInput(ctx: ShapeContext): boolean {
  return ctx.opset >= (ctx.node.opType === 'ReduceSum' ? 13 : 18);
}

const reduce: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  const keep = ctx.int('keepdims', 1) === 1;
  const axes = axesFromInput(ctx) ? (ctx.has(1) ? ctx.numbers(1) : []) : ctx.ints('axes') ?? [];
  if (!x || axes === null) return [{ dtype: ctx.dtype(0), shape: null }];
  if (axes.length === 0 && ctx.int('noop_with_empty_axes', 0) === 1) return [{ dtype: ctx.dtype(0), shape: x }];
  const all = axes.length === 0;
  const set = new Set(axes.map((a) => normAxis(a, x.length, ctx)));
  const shape = keep ? x.map((d, i) => (all || set.has(i) ? 1 : d)) : x.filter((_, i) => !all && !set.has(i));
  return [{ dtype: ctx.dtype(0), shape }];
};

const argReduce: ShapeRule = (ctx) => {
  const x = ctx.shape(0);
  if (!x) return [{ dtype: 'int64', shape: null }];
  const axis = normAxis(ctx.int('axis', 0), x.length, ctx);
  const keep = ctx.int('keepdims', 1) === 1;
  return [{ dtype: 'int64', shape: keep ? x.map((d, i) => (i === axis ? 1 : d)) : x.filter((_, i) => i !== axis) }];
};

export const reduceRules: Record<string, ShapeRule> = {
  ...Object.fromEntries(REDUCE_OPS.map((op) => [op, reduce])),
  ArgMax: argReduce,
  ArgMin: argReduce,
  TopK: (ctx) => {
    const x = ctx.shape(0);
    const k = ctx.has(1) ? ctx.numbers(1)?.[0] ?? null : ctx.int('k', -1);
    if (!x) return [{ dtype: ctx.dtype(0), shape: null }, { dtype: 'int64', shape: null }];
    const axis = normAxis(ctx.int('axis', -1), x.length, ctx);
    const shape = x.map((d, i) => (i === axis ? k : d));
    return [{ dtype: ctx.dtype(0), shape }, { dtype: 'int64', shape }];
  },
  CumSum: (ctx) => [{ dtype: ctx.dtype(0), shape: ctx.shape(0) }],
};
