import type { Dim } from '../types.js';
import type { ShapeContext, ShapeRule, ValueFacts } from './context.js';
import { broadcast, normAxis, product } from './dims.js';

/** Reshape target resolution: 0 copies the input dim, -1 takes what is left; symbolic dims cancel out. */
export function resolveReshape(input: Dim[] | null, target: Dim[], allowZero: boolean, ctx: ShapeContext): Dim[] {
  const out = target.map((d, i) => (d === 0 && !allowZero ? (input ? input[i] : null) : d));
  const inferAt = out.indexOf(-1);
  if (inferAt < 0) return out;
  if (!input) return out.map((d) => (d === -1 ? null : d));
  const rest = input.slice();
  const known: Dim[] = [];
  out.forEach((d, i) => {
    if (i === inferAt) return;
    const j = typeof d === 'string' ? rest.indexOf(d) : -1;
    if (j >= 0) rest.splice(j, 1);
    else known.push(d);
  });
  const total = product(rest);
  const part = product(known);
  if (typeof total !== 'number' || typeof part !== 'number') {
    out[inferAt] = null;
    return out;
  }
  if (part === 0 || total % part !== 0) ctx.fail(`cannot reshape [${input}] to [${target}]`);
  out[inferAt] = total / part;
  return out;
}

function axesOf(ctx: ShapeContext): number[] | null {
  if (ctx.has(1)) return ctx.numbers(1);
  return ctx.ints('axes') ?? null;
}

const withValue = (facts: ValueFacts, value: Dim[] | null | undefined): ValueFacts => (value ? { ...facts, value } : facts);

export const reshapeRules: Record<string, ShapeRule> = {
  Reshape: (ctx) => {
    const target = ctx.value(1) ?? ctx.ints('shape') ?? null;
    const shape = target ? resolveReshape(ctx.shape(0), target, ctx.int('allowzero', 0) === 1, ctx) : null;
    return [withValue({ dtype: ctx.dtype(0), shape }, ctx.value(0))];
  },
  Flatten: (ctx) => {
    const x = ctx.shape(0);
    if (!x) return [{ dtype: ctx.dtype(0), shape: null }];
    const axis = ctx.int('axis', 1);
    const a = axis < 0 ? axis + x.length : axis;
    return [{ dtype: ctx.dtype(0), shape: [product(x.slice(0, a)), product(x.slice(a))] }];
  },
  Squeeze: (ctx) => {
    const x = ctx.shape(0);
    if (!x) return [{ dtype: ctx.dtype(0), shape: null }];
    const axes = axesOf(ctx);
    if (!axes && (ctx.has(1) || x.some((d) => typeof d !== 'number'))) return [{ dtype: ctx.dtype(0), shape: null }];
    const drop = new Set(axes ? axes.map((a) => normAxis(a, x.length, ctx)) : x.flatMap((d, i) => (d === 1 ? [i] : [])));
    return [withValue({ dtype: ctx.dtype(0), shape: x.filter((_, i) => !drop.has(i)) }, ctx.value(0))];
  },
  Unsqueeze: (ctx) => {
    const x = ctx.shape(0);
    const axes = axesOf(ctx);
    if (!x || !axes) return [{ dtype: ctx.dtype(0), shape: null }];
    const rank = x.length + axes.length;
    const at = new Set(axes.map((a) => normAxis(a, rank, ctx)));
    const out: Dim[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : x[j++]);
    return [withValue({ dtype: ctx.dtype(0), shape: out }, ctx.value(0))];
  },
  Transpose: (ctx) => {
    const x = ctx.shape(0);
    if (!x) return [{ dtype: ctx.dtype(0), shape: null }];
    const perm = ctx.ints('perm') ?? x.map((_, i) => x.length - 1 - i);
    if (perm.length !== x.length) ctx.fail(`perm [${perm}] does not match rank ${x.length}`);
    return [{ dtype: ctx.dtype(0), shape: perm.map((p) => x[p]) }];
  },
  Expand: (ctx) => {
    const x = ctx.shape(0);
    const target = ctx.value(1);
    return [{ dtype: ctx.dtype(0), shape: x && target ? broadcast(x, target, ctx) : null }];
  },
  Tile: (ctx) => {
    const x = ctx.shape(0);
    const reps = ctx.numbers(1);
    return [{ dtype: ctx.dtype(0), shape: x && reps ? x.map((d, i) => (typeof d === 'number' ? d * reps[i] : reps[i] === 1 ? d : null)) : null }];
  },
  DepthToSpace: (ctx) => {
    const x = ctx.shape(0);
    const b = ctx.int('blocksize', 1);
    const mul = (d: Dim) => (typeof d === 'number' ? d * b : null);
    return [{ dtype: ctx.dtype(0), shape: x ? [x[0], typeof x[1] === 'number' ? x[1] / (b * b) : null, mul(x[2]), mul(x[3])] : null }];
  },
  SpaceToDepth: (ctx) => {
    const x = ctx.shape(0);
    const b = ctx.int('blocksize', 1);
    const div = (d: Dim) => (typeof d === 'number' ? d / b : null);
    return [{ dtype: ctx.dtype(0), shape: x ? [x[0], typeof x[1] === 'number' ? x[1] * b * b : null, div(x[2]), div(x[3])] : null }];
  },
};
