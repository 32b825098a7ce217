import * as tf from '@tensorflow/tfjs-core';
import { normAxis, readInts, type OpContext } from '../context.js';
import { registerOp } from '../registry.js';
import { canonical, isIdentityPerm, onnxShape, storedAxis, type Value } from '../value.js';

/**
 * Reduce*: axes as attribute (ReduceSum < 13, others < 18) or input; keepdims; noop_with_empty_axes.
 * Reduces in the stored layout (a channels-last GAP-by-ReduceMean needs no transpose); the result keeps
 * the layout when keepdims, or when the remaining axes are in ONNX order.
 */
type Reducer = (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor;

function reduceOp(opType: string, inputSince: number, f: Reducer) {
  registerOp({
    opType,
    layout: 'custom',
    runValues: ([xv, axesT]: (Value | undefined)[], ctx: OpContext): Value => {
      const rank = onnxShape(xv!).length;
      const keep = ctx.int('keepdims', 1) === 1;
      let axes = ctx.opset >= inputSince ? (axesT ? readInts(canonical(axesT)) : undefined) : ctx.ints('axes');
      if (!axes || axes.length === 0) {
        if (ctx.int('noop_with_empty_axes', 0) === 1) return xv!;
        axes = Array.from({ length: rank }, (_, i) => i);
      }
      const onnxAxes = axes.map((a) => normAxis(a, rank, ctx));
      const perm = xv!.perm;
      if (isIdentityPerm(perm)) return { t: f(xv!.t, onnxAxes, keep), perm: null };
      const stored = onnxAxes.map((a) => storedAxis(xv!, a));
      if (keep) return { t: f(xv!.t, stored, true), perm };
      const rest = perm!.filter((a) => !onnxAxes.includes(a));
      if (rest.every((a, i) => i === 0 || rest[i - 1] < a)) return { t: f(xv!.t, stored, false), perm: null };
      return { t: f(canonical(xv!), onnxAxes, false), perm: null };
    },
  });
}

const asFloat = (x: tf.Tensor) => (x.dtype === 'bool' ? tf.cast(x, "float32") : x);
reduceOp('ReduceMean', 18, (x, a, k) => tf.mean(x, a, k));
reduceOp('ReduceSum', 13, (x, a, k) => tf.sum(asFloat(x), a, k));
reduceOp('ReduceMax', 18, (x, a, k) => tf.max(x, a, k));
reduceOp('ReduceMin', 18, (x, a, k) => tf.min(x, a, k));
reduceOp('ReduceProd', 18, (x, a, k) => tf.prod(x, a, k));
reduceOp('ReduceSumSquare', 18, (x, a, k) => tf.sum(tf.square(x), a, k));
reduceOp('ReduceL1', 18, (x, a, k) => tf.sum(tf.abs(x), a, k));
reduceOp('ReduceL2', 18, (x, a, k) => tf.sqrt(tf.sum(tf.square(x), a, k)));
reduceOp('ReduceLogSum', 18, (x, a, k) => tf.log(tf.sum(x, a, k)));
reduceOp('ReduceLogSumExp', 18, (x, a, k) => tf.logSumExp(x, a, k));
