import * as tf from '@tensorflow/tfjs-core';
import { readFloats } from '../context.js';
import { defineOp } from '../registry.js';

// Identity in eval mode; in train mode (engine's mode) drops with `ratio` (attribute before opset 12, input after).
defineOp(
  'Dropout',
  ([x, ratioIn], ctx) => {
    const ratio = ctx.opset < 12 ? ctx.float('ratio', 0.5) : ratioIn ? readFloats(ratioIn)[0] : 0.5;
    const wantMask = ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '';
    if (!ctx.training || ratio === 0) return wantMask ? [x!, tf.cast(tf.onesLike(x!), 'bool')] : [x!];
    const keep = tf.lessEqual(tf.randomUniform(x!.shape, 0, 1, 'float32', ctx.seed()), 1 - ratio);
    const y = tf.div(tf.mul(x!, tf.cast(keep, 'float32')), 1 - ratio);
    return wantMask ? [y, keep] : [y];
  },
  { layout: 'elementwise' },
);
