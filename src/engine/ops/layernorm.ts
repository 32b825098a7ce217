import * as tf from '@tensorflow/tfjs-core';
import { normAxis } from '../context.js';
import { defineOp } from '../registry.js';

/** LayerNormalization (opset 17): normalise over axes [axis, rank); outputs Y, Mean, InvStdDev. */
defineOp(
  'LayerNormalization',
  ([x, scale, bias], ctx) => {
    const axis = normAxis(ctx.int('axis', -1), x!.rank, ctx);
    const axes = x!.shape.map((_, i) => i).slice(axis);
    const { mean, variance } = tf.moments(x!, axes, true);
    const inv = tf.rsqrt(tf.add(variance, ctx.float('epsilon', 1e-5)));
    let y = tf.mul(tf.mul(tf.sub(x!, mean), inv), scale!);
    if (bias) y = tf.add(y, bias);
    return [y, mean, inv];
  },
  { weightPorts: () => [1, 2] },
);
