import * as tf from '@tensorflow/tfjs-core';
import { normAxis, readInts } from '../context.js';
import { defineOp, registerOp } from '../registry.js';
import { invertPerm, isIdentityPerm, onnxShape, type Value } from '../value.js';

/** Reshape: 0 copies the input dim (unless allowzero), -1 is inferred. */
defineOp('Reshape', ([x, shapeT], ctx) => {
  const spec = ctx.opset < 5 ? (ctx.ints('shape') ?? []) : readInts(shapeT);
  const allowZero = ctx.int('allowzero', 0) === 1;
  const shape = spec.map((d, i) => (d === 0 && !allowZero ? x!.shape[i] : d));
  return tf.reshape(x!, shape);
});

/** Flatten to 2-D at `axis`. */
defineOp('Flatten', ([x], ctx) => {
  const raw = ctx.int('axis', 1);
  const axis = raw < 0 ? raw + x!.rank : Math.min(raw, x!.rank);
  const outer = x!.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x!.shape.slice(axis).reduce((a, b) => a * b, 1);
  return tf.reshape(x!, [outer, inner]);
});

/**
 * Transpose only relabels the layout: the stored tensor is kept and the perm composed, so
 * NCHW<->NHWC transposes around channels-last convs cost nothing; a later layout-sensitive op
 * materialises (at most one transpose).
 */
registerOp({
  opType: 'Transpose',
  layout: 'custom',
  runValues: ([xv], ctx): Value => {
    const rank = onnxShape(xv!).length;
    const p = ctx.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    // out_onnx = T(in_onnx, p); stored = T(in_onnx, q) => stored = T(out_onnx, p^-1 ∘ q)
    const q = isIdentityPerm(xv!.perm) ? Array.from({ length: rank }, (_, i) => i) : xv!.perm!;
    const pInv = invertPerm(p);
    const composed = q.map((a) => pInv[a]);
    return { t: xv!.t, perm: isIdentityPerm(composed) ? null : composed };
  },
});

function axesFrom(ctx: Parameters<Parameters<typeof defineOp>[1]>[1], t: tf.Tensor | undefined, sinceOpset: number): number[] | undefined {
  return ctx.opset >= sinceOpset ? (t ? readInts(t) : undefined) : ctx.ints('axes');
}

defineOp('Squeeze', ([x, axesT], ctx) => {
  const axes = axesFrom(ctx, axesT, 13);
  if (!axes || axes.length === 0) return tf.squeeze(x!);
  const set = new Set(axes.map((a) => normAxis(a, x!.rank, ctx)));
  return tf.reshape(x!, x!.shape.filter((_, i) => !set.has(i)));
});

defineOp('Unsqueeze', ([x, axesT], ctx) => {
  const axes = axesFrom(ctx, axesT, 13) ?? [];
  const rank = x!.rank + axes.length;
  const set = new Set(axes.map((a) => normAxis(a, rank, ctx)));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(set.has(i) ? 1 : x!.shape[j++]);
  return tf.reshape(x!, shape);
});

