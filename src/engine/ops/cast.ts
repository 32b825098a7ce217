import * as tf from '@tensorflow/tfjs-core';
import { dtypeFromOnnxCode, tfDtype } from '../dtype.js';
import { defineOp } from '../registry.js';

defineOp(
  'Cast',
  ([x], ctx) => {
    const to = tfDtype(dtypeFromOnnxCode(ctx.int('to', 1)));
    if (to === x!.dtype) return x!;
    // float -> int truncates toward zero in ONNX; tfjs cast does the same.
    return tf.cast(x!, to);
  },
  { layout: 'elementwise' },
);

defineOp(
  'CastLike',
  ([x, like]) => (x!.dtype === like!.dtype ? x! : tf.cast(x!, like!.dtype)),
  { layout: 'elementwise' },
);
