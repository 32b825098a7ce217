import type { DType } from '../types.js';
import type { ShapeContext, ShapeRule, ValueFacts } from './context.js';
import { broadcastAll, dimOp } from './dims.js';

/** Output = input 0 in shape and dtype (activations, normalisations, Dropout's first output …). */
export const sameAsInput: ShapeRule = (ctx) => [{ dtype: ctx.dtype(0), shape: ctx.shape(0) }];

const UNARY = [
  'Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Elu', 'Selu', 'Celu', 'Softplus',
  'Softsign', 'Mish', 'Gelu', 'Erf', 'Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Reciprocal', 'Floor', 'Ceil', 'Round',
  'Sign', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'ThresholdedRelu',
  'Shrink', 'Clip', 'Identity', 'Softmax', 'LogSoftmax', 'Hardmax', 'BatchNormalization', 'InstanceNormalization',
  'LRN', 'MeanVarianceNormalization', 'LpNormalization', 'Not', 'IsNaN', 'IsInf', 'BitwiseNot',
];

/** Integer arithmetic on known values (shape computations written as graph ops). */
function foldBinary(op: string, ctx: ShapeContext, shape: ValueFacts['shape']): ValueFacts['value'] {
  const a = ctx.value(0);
  const b = ctx.value(1);
  if (!a || !b || !shape || shape.length > 1) return undefined;
  const n = Math.max(a.length, b.length);
  if ((a.length !== n && a.length !== 1) || (b.length !== n && b.length !== 1)) return undefined;
  const sym = { Add: '+', Sub: '-', Mul: '*', Div: '/' }[op] as '+' | '-' | '*' | '/' | undefined;
  if (!sym) return undefined;
  return Array.from({ length: n }, (_, i) => dimOp(a[a.length === 1 ? 0 : i], b[b.length === 1 ? 0 : i], sym));
}

const binary = (op: string, outType?: DType): ShapeRule => (ctx) => {
  const shape = broadcastAll([ctx.shape(0), ctx.shape(1)], ctx);
  const facts: ValueFacts = { dtype: outType ?? ctx.dtype(0), shape };
  const value = foldBinary(op, ctx, shape);
  if (value) facts.value = value;
  return [facts];
};

/** Variadic broadcasting ops (Sum, Mean, Max, Min). */
const variadic: ShapeRule = (ctx) => [{
  dtype: ctx.dtype(0),
  shape: broadcastAll(ctx.node.inputs.map((_, i) => ctx.shape(i)), ctx),
}];

export const elementwiseRules: Record<string, ShapeRule> = {
  ...Object.fromEntries(UNARY.map((op) => [op, sameAsInput])),
  ...Object.fromEntries(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor'].map((op) => [op, binary(op)])),
  ...Object.fromEntries(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor'].map((op) => [op, binary(op, 'bool')])),
  Sum: variadic, Mean: variadic, Max: variadic, Min: variadic,
  Where: (ctx) => [{ dtype: ctx.dtype(1), shape: broadcastAll([ctx.shape(0), ctx.shape(1), ctx.shape(2)], ctx) }],
  IsNaN: (ctx) => [{ dtype: 'bool', shape: ctx.shape(0) }],
  IsInf: (ctx) => [{ dtype: 'bool', shape: ctx.shape(0) }],
  Not: (ctx) => [{ dtype: 'bool', shape: ctx.shape(0) }],
  Dropout: (ctx) => [{ dtype: ctx.dtype(0), shape: ctx.shape(0) }, { dtype: 'bool', shape: ctx.shape(0) }],
  // Identity also forwards known values (shape chains pass through it).
  Identity: (ctx) => [{ dtype: ctx.dtype(0), shape: ctx.shape(0), ...(ctx.value(0) ? { value: ctx.value(0)! } : {}) }],
  BatchNormalization: (ctx) => {
    const c = ctx.shape(1);
    const stat = { dtype: ctx.dtype(0), shape: c };
    return [{ dtype: ctx.dtype(0), shape: ctx.shape(0) }, stat, stat, stat, stat].slice(0, Math.max(1, ctx.node.outputs.length));
  },
  LayerNormalization: (ctx) => {
    const x = ctx.shape(0);
    const axis = ctx.int('axis', -1);
    const stats = x ? x.map((d, i) => (i < (axis < 0 ? axis + x.length : axis) ? d : 1)) : null;
    return [{ dtype: ctx.dtype(0), shape: x }, { dtype: 'float32', shape: stats }, { dtype: 'float32', shape: stats }];
  },
};
