import * as tf from '@tensorflow/tfjs-core';
import { normAxis, type OpContext } from '../context.js';
import { defineOp, registerOp } from '../registry.js';
import { canonical, plain, storedAxis, type Value } from '../value.js';

/**
 * Softmax / LogSoftmax / Hardmax. Before opset 13 the input is coerced to 2-D at `axis` (default 1);
 * from 13 the op works along `axis` (default -1).
 */
function along(x: tf.Tensor, ctx: OpContext, f: (x2: tf.Tensor, axis: number) => tf.Tensor): tf.Tensor {
  if (ctx.opset < 13) {
    const axis = normAxis(ctx.int('axis', 1), x.rank, ctx);
    const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    return tf.reshape(f(tf.reshape(x, [outer, -1]), 1), x.shape);
  }
  return f(x, normAxis(ctx.int('axis', -1), x.rank, ctx));
}

function softmax(x: tf.Tensor, axis: number): tf.Tensor {
  if (axis === x.rank - 1) return tf.softmax(x);
  const e = tf.exp(tf.sub(x, tf.max(x, axis, true)));
  return tf.div(e, tf.sum(e, axis, true));
}

function logSoftmax(x: tf.Tensor, axis: number): tf.Tensor {
  if (axis === x.rank - 1) return tf.logSoftmax(x);
  const shifted = tf.sub(x, tf.max(x, axis, true));
  return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), axis, true)));
}

/** From opset 13 the op is per-axis, so it runs in the input's stored layout (e.g. a channels-last seg head). */
function layoutAware(f: (x: tf.Tensor, axis: number) => tf.Tensor) {
  return ([xv]: (Value | undefined)[], ctx: OpContext): Value => {
    if (ctx.opset < 13) return plain(along(canonical(xv!), ctx, f));
    const axis = normAxis(ctx.int('axis', -1), xv!.t.rank, ctx);
    return { t: f(xv!.t, storedAxis(xv!, axis)), perm: xv!.perm };
  };
}

registerOp({ opType: 'Softmax', layout: 'custom', runValues: layoutAware(softmax) });
registerOp({ opType: 'LogSoftmax', layout: 'custom', runValues: layoutAware(logSoftmax) });
defineOp('Hardmax', ([x], ctx) =>
  along(x!, ctx, (x2, axis) => tf.transpose(tf.cast(tf.oneHot(tf.argMax(x2, axis), x2.shape[axis]), 'float32'), moveLast(x2.rank, axis))),
);

/** Perm that moves the last axis (where oneHot puts it) back to `axis`. */
function moveLast(rank: number, axis: number): number[] {
  const p: number[] = [];
  for (let i = 0; i < rank - 1; i++) p.push(i);
  p.splice(axis, 0, rank - 1);
  return p;
}

/** ArgMax / ArgMin with keepdims and select_last_index. */
function argOp(opType: string, pick: (x: tf.Tensor, axis: number) => tf.Tensor) {
  defineOp(opType, ([x], ctx) => {
    const axis = normAxis(ctx.int('axis', 0), x!.rank, ctx);
    let input = x!.dtype === 'float32' ? x! : tf.cast(x!, "float32");
    const last = ctx.int('select_last_index', 0) === 1;
    if (last) input = tf.reverse(input, axis);
    let idx = pick(input, axis);
    if (last) idx = tf.sub(tf.scalar(x!.shape[axis] - 1, 'int32'), idx);
    return ctx.int('keepdims', 1) === 1 ? tf.expandDims(idx, axis) : idx;
  });
}

argOp('ArgMax', (x, a) => tf.argMax(x, a));
argOp('ArgMin', (x, a) => tf.argMin(x, a));
