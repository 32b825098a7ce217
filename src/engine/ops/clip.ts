import * as tf from '@tensorflow/tfjs-core';
import { readFloats } from '../context.js';
import { defineOp } from '../registry.js';

// Clip: min/max are attributes before opset 11 and optional scalar inputs from 11 on.
defineOp(
  'Clip',
  ([x, lo, hi], ctx) => {
    let min = -Infinity;
    let max = Infinity;
    if (ctx.opset < 11) {
      min = ctx.float('min', -3.4028234663852886e38);
      max = ctx.float('max', 3.4028234663852886e38);
    } else {
      if (lo) min = readFloats(lo)[0];
      if (hi) max = readFloats(hi)[0];
    }
    if (min > max) return tf.fill(x!.shape, max, x!.dtype);
    if (x!.dtype === 'int32') return tf.minimum(tf.maximum(x!, tf.scalar(Math.max(min, -2147483648), 'int32')), tf.scalar(Math.min(max, 2147483647), 'int32'));
    return tf.clipByValue(x!, min, max);
  },
  { layout: 'elementwise' },
);
