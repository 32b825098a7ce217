import type { Dim } from '../types.js';
import type { ShapeRule } from './context.js';
import { broadcast } from './dims.js';

/** numpy.matmul shapes: 1-D operands are promoted and the added axis removed afterwards. */
const matmul: ShapeRule = (ctx) => {
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (!a || !b) return [{ dtype: ctx.dtype(0), shape: null }];
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const k1 = a2[a2.length - 1];
  const k2 = b2[b2.length - 2];
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) ctx.fail(`inner dimensions differ: [${a}] × [${b}]`);
  const batch = broadcast(a2.slice(0, -2), b2.slice(0, -2), ctx);
  const out: Dim[] = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]);
  if (b.length > 1) out.push(b2[b2.length - 1]);
  return [{ dtype: ctx.dtype(0), shape: out }];
};

const gemm: ShapeRule = (ctx) => {
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (!a || !b) return [{ dtype: ctx.dtype(0), shape: null }];
  const m = ctx.int('transA', 0) ? a[1] : a[0];
  const n = ctx.int('transB', 0) ? b[0] : b[1];
  const ka = ctx.int('transA', 0) ? a[0] : a[1];
  const kb = ctx.int('transB', 0) ? b[1] : b[0];
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) ctx.fail(`inner dimensions differ: A [${a}] and B [${b}]`);
  return [{ dtype: ctx.dtype(0), shape: [m, n] }];
};

export const matmulRules: Record<string, ShapeRule> = {
  MatMul: matmul,
  MatMulInteger: (ctx) => [{ ...matmul(ctx)[0], dtype: 'int32' }],
  Gemm: gemm,
  Einsum: (ctx) => [{ dtype: ctx.dtype(0), shape: null }],
};
