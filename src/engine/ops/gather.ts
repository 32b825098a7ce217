import * as tf from '@tensorflow/tfjs-core';
import { normAxis } from '../context.js';
import { defineOp } from '../registry.js';

/** Gather (numpy take): negative indices count from the end; scalar indices drop the axis. */
defineOp('Gather', ([x, idx], ctx) => {
  const axis = normAxis(ctx.int('axis', 0), x!.rank, ctx);
  const dim = x!.shape[axis];
  let i = idx!.dtype === 'int32' ? idx! : tf.cast(idx!, 'int32');
  i = tf.where(tf.less(i, 0), tf.add(i, tf.scalar(dim, 'int32')), i);
  if (i.rank === 0) {
    const y = tf.gather(x!, tf.reshape(i, [1]), axis);
    return tf.reshape(y, x!.shape.filter((_, k) => k !== axis));
  }
  return tf.gather(x!, i, axis);
}, { weightPorts: () => [0] });

/** GatherElements: take along axis (indices have the output's shape). */
defineOp('GatherElements', ([x, idx], ctx) => {
  const axis = normAxis(ctx.int('axis', 0), x!.rank, ctx);
  const dim = x!.shape[axis];
  let i = tf.cast(idx!, 'int32');
  i = tf.where(tf.less(i, 0), tf.add(i, tf.scalar(dim, 'int32')), i);
  // Flatten to a 1-D gather over linear offsets.
  const strides = x!.shape.map((_, k) => x!.shape.slice(k + 1).reduce((a, b) => a * b, 1));
  let offset = tf.mul(i, tf.scalar(strides[axis], 'int32'));
  for (let k = 0; k < x!.rank; k++) {
    if (k === axis) continue;
    const shape = i.shape.map((_, j) => (j === k ? i.shape[k] : 1));
    const coord = tf.reshape(tf.range(0, i.shape[k], 1, 'int32'), shape);
    offset = tf.add(offset, tf.mul(coord, tf.scalar(strides[k], 'int32')));
  }
  return tf.reshape(tf.gather(tf.reshape(x!, [-1]), tf.reshape(offset, [-1])), i.shape);
});
