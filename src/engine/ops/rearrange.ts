import * as tf from '@tensorflow/tfjs-core';
import { normAxis, readInts } from '../context.js';
import { defineOp } from '../registry.js';

/** Rearranging / indexing ops: DepthToSpace, SpaceToDepth, OneHot, CumSum, Trilu, EyeLike, TopK, GatherND, NonZero. */
defineOp('DepthToSpace', ([x], ctx) => {
  const b = ctx.int('blocksize', 1);
  const [n, c, h, w] = x!.shape;
  const crd = ctx.string('mode', 'DCR') === 'CRD';
  const split = crd ? tf.reshape(x!, [n, c / (b * b), b, b, h, w]) : tf.reshape(x!, [n, b, b, c / (b * b), h, w]);
  const moved = tf.transpose(split, crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2]);
  return tf.reshape(moved, [n, c / (b * b), h * b, w * b]);
});

defineOp('SpaceToDepth', ([x], ctx) => {
  const b = ctx.int('blocksize', 1);
  const [n, c, h, w] = x!.shape;
  const split = tf.reshape(x!, [n, c, h / b, b, w / b, b]);
  return tf.reshape(tf.transpose(split, [0, 3, 5, 1, 2, 4]), [n, c * b * b, h / b, w / b]);
});

defineOp('OneHot', ([indices, depthT, values], ctx) => {
  const depth = Math.trunc(Number(depthT!.dataSync()[0]));
  const [off, on] = Array.from(values!.dataSync() as ArrayLike<number>, Number);
  const rank = indices!.rank + 1;
  const axis = normAxis(ctx.int('axis', -1), rank, ctx);
  let idx = tf.cast(indices!, 'int32');
  idx = tf.where(tf.less(idx, 0), tf.add(idx, tf.scalar(depth, 'int32')), idx);
  const hot = tf.cast(tf.oneHot(idx, depth), 'float32');
  const scaled = tf.add(tf.mul(hot, on - off), off);
  const perm = Array.from({ length: rank - 1 }, (_, i) => i);
  perm.splice(axis, 0, rank - 1);
  const y = tf.transpose(scaled, perm);
  return values!.dtype === 'float32' ? y : tf.cast(y, values!.dtype);
});

defineOp('CumSum', ([x, axisT], ctx) => {
  const axis = normAxis(readInts(axisT)[0], x!.rank, ctx);
  return tf.cumsum(x!, axis, ctx.int('exclusive', 0) === 1, ctx.int('reverse', 0) === 1);
});

/** 0/1 mask over the last two axes where (col - row) satisfies `keep`. */
function bandMask(rows: number, cols: number, keep: (d: tf.Tensor) => tf.Tensor): tf.Tensor {
  const d = tf.sub(tf.reshape(tf.range(0, cols, 1, 'int32'), [1, cols]), tf.reshape(tf.range(0, rows, 1, 'int32'), [rows, 1]));
  return keep(d);
}

defineOp('Trilu', ([x, kT], ctx) => {
  const k = kT ? readInts(kT)[0] : 0;
  const [rows, cols] = x!.shape.slice(-2);
  const upper = ctx.int('upper', 1) === 1;
  const mask = bandMask(rows, cols, (d) => (upper ? tf.greaterEqual(d, k) : tf.lessEqual(d, k)));
  return tf.where(tf.broadcastTo(mask, x!.shape), x!, tf.zerosLike(x!));
});

defineOp('EyeLike', ([x], ctx) => {
  const [rows, cols] = x!.shape;
  const mask = bandMask(rows, cols, (d) => tf.equal(d, tf.scalar(ctx.int('k', 0), 'int32')));
  const code = ctx.int('dtype');
  const dtype = code === undefined ? x!.dtype : code === 1 || code === 10 || code === 11 || code === 16 ? 'float32' : code === 9 ? 'bool' : 'int32';
  return tf.cast(mask, dtype);
});

defineOp('TopK', ([x, kT], ctx) => {
  const k = readInts(kT)[0];
  const axis = normAxis(ctx.int('axis', -1), x!.rank, ctx);
  const last = x!.rank - 1;
  const perm = x!.shape.map((_, i) => (i === axis ? last : i === last ? axis : i));
  const moved = axis === last ? x! : tf.transpose(x!, perm);
  const largest = ctx.int('largest', 1) === 1;
  // Smallest-k via largest-k of the negation; ties keep the lower index first in both cases.
  const { values, indices } = tf.topk(largest ? moved : tf.neg(moved), k, true);
  const v = largest ? values : tf.neg(values);
  return axis === last ? [v, indices] : [tf.transpose(v, perm), tf.transpose(indices, perm)];
});

/** GatherND; batch_dims > 0 folds the batch dims into one and prepends its coordinate to each index. */
defineOp('GatherND', ([x, idx], ctx) => {
  const b = ctx.int('batch_dims', 0);
  const ind = tf.cast(idx!, 'int32');
  if (b === 0) return tf.gatherND(x!, ind);
  const batch = x!.shape.slice(0, b);
  const bsize = batch.reduce((p, q) => p * q, 1);
  const data = tf.reshape(x!, [bsize, ...x!.shape.slice(b)]);
  const inner = ind.shape.slice(b, -1);
  const k = ind.shape[ind.rank - 1];
  const flat = tf.reshape(ind, [bsize, ...inner, k]);
  const coord = tf.broadcastTo(tf.reshape(tf.range(0, bsize, 1, 'int32'), [bsize, ...inner.map(() => 1), 1]), [bsize, ...inner, 1]);
  const y = tf.gatherND(data, tf.concat([coord, flat], -1));
  return tf.reshape(y, [...batch, ...y.shape.slice(1)]);
});

defineOp('NonZero', ([x]) => {
  const values = x!.dataSync();
  const strides = x!.shape.map((_, k) => x!.shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const coords: number[][] = x!.shape.map(() => []);
  for (let i = 0; i < values.length; i++)
    if (Number(values[i]) !== 0) strides.forEach((s, k) => coords[k].push(Math.floor(i / s) % x!.shape[k]));
  const nnz = coords[0]?.length ?? (Number(values[0]) !== 0 ? 1 : 0);
  return tf.tensor(coords.flat(), [x!.rank, nnz], 'int32');
});
