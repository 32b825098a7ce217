import type { Dim, DType } from '../types.js';
import { dtypeFromOnnx } from '../onnx-proto/dtypes.js';
import type { ShapeRule, ValueFacts } from './context.js';

/** Values worth tracking: small integer tensors (shapes, axes, indices). */
const MAX_TRACKED = 64;
// Floats too: Resize scales and Range bounds are often float constants.
const TRACKED: DType[] = ['int64', 'int32', 'int8', 'uint8', 'int16', 'uint16', 'uint32', 'uint64', 'bool', 'float32', 'float64', 'float16'];

export function constantFacts(dtype: DType, dims: number[], values: ArrayLike<number | bigint | string>): ValueFacts {
  const facts: ValueFacts = { dtype, shape: dims.slice() };
  if (TRACKED.includes(dtype) && values.length <= MAX_TRACKED)
    facts.value = Array.from(values as ArrayLike<number | bigint>, (v) => Number(v));
  return facts;
}

const constant: ShapeRule = (ctx) => {
  const a = ctx.node.attributes;
  const t = a.value;
  if (t?.type === 'tensor') return [constantFacts(t.value.dtype, t.value.dims, t.value.values as ArrayLike<number>)];
  if (a.value_int?.type === 'int') return [constantFacts('int64', [], [Number(a.value_int.value)])];
  if (a.value_ints?.type === 'ints') return [constantFacts('int64', [a.value_ints.value.length], a.value_ints.value.map(Number))];
  if (a.value_float) return [{ dtype: 'float32', shape: [] }];
  if (a.value_floats?.type === 'floats') return [{ dtype: 'float32', shape: [a.value_floats.value.length] }];
  if (a.value_string) return [{ dtype: 'string', shape: [] }];
  if (a.value_strings?.type === 'strings') return [{ dtype: 'string', shape: [a.value_strings.value.length] }];
  return [{ dtype: 'undefined', shape: null }];
};

export const shapeOpRules: Record<string, ShapeRule> = {
  Constant: constant,
  Shape: (ctx) => {
    const x = ctx.shape(0);
    if (!x) return [{ dtype: 'int64', shape: [null] }];
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + x.length : v, 0), x.length);
    const start = clamp(ctx.int('start', 0));
    const end = clamp(ctx.int('end', x.length));
    const dims = x.slice(start, Math.max(start, end));
    return [{ dtype: 'int64', shape: [dims.length], value: dims }];
  },
  Size: (ctx) => {
    const x = ctx.shape(0);
    const n = x?.every((d) => typeof d === 'number') ? (x as number[]).reduce((a, b) => a * b, 1) : null;
    return [{ dtype: 'int64', shape: [], ...(n !== null ? { value: [n] } : {}) }];
  },
  ConstantOfShape: (ctx) => {
    const v = ctx.attr('value');
    const dtype: DType = v?.type === 'tensor' ? v.value.dtype : 'float32';
    const shape = ctx.value(0);
    const facts: ValueFacts = { dtype, shape };
    // A filled small integer tensor (e.g. zeros for pads) is worth tracking.
    if (shape && v?.type === 'tensor' && shape.every((d) => typeof d === 'number')) {
      const n = (shape as number[]).reduce((a, b) => a * b, 1);
      if (n <= MAX_TRACKED && TRACKED.includes(dtype)) facts.value = Array(n).fill(Number((v.value.values as ArrayLike<number>)[0]));
    }
    return [facts];
  },
  Cast: (ctx) => {
    const to = dtypeFromOnnx(ctx.int('to', 1));
    const value = TRACKED.includes(to) ? ctx.value(0) : null;
    return [{ dtype: to, shape: ctx.shape(0), ...(value ? { value } : {}) }];
  },
  CastLike: (ctx) => [{ dtype: ctx.dtype(1), shape: ctx.shape(0) }],
  Range: (ctx) => {
    const [s, l, d] = [ctx.numbers(0), ctx.numbers(1), ctx.numbers(2)];
    if (!s || !l || !d) return [{ dtype: ctx.dtype(0), shape: [null] }];
    const n = Math.max(Math.ceil((l[0] - s[0]) / d[0]), 0);
    const facts: ValueFacts = { dtype: ctx.dtype(0), shape: [n] };
    if (n <= MAX_TRACKED) facts.value = Array.from({ length: n }, (_, i): Dim => s[0] + i * d[0]);
    return [facts];
  },
  NonZero: (ctx) => [{ dtype: 'int64', shape: [ctx.shape(0)?.length ?? null, null] }],
  EyeLike: (ctx) => [{ dtype: ctx.attr('dtype') ? dtypeFromOnnx(ctx.int('dtype', 1)) : ctx.dtype(0), shape: ctx.shape(0) }],
};
