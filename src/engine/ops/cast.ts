import * as tf from '@tensorflow/tfjs-core';
import { dtypeFromOnnxCode, tfDtype } from '../dtype.js';
import { bfloat16BitsToFloat32Bits, float16BitsToFloat32Bits, float32Bits, float32BitsToBfloat16Bits, float32BitsToFloat16Bits } from '../../graph/onnx-proto/index.js';
import type { OpContext } from '../context.js';
import { defineOp } from '../registry.js';

/** Values as float16/bfloat16 would hold them (tfjs has no half types): round on the host. */
function roundToHalf(x: tf.Tensor, to: 'float16' | 'bfloat16'): tf.Tensor {
  const src = x.dataSync() as Float32Array;
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) {
    const b = float32Bits(src[i]);
    bits[i] = to === 'float16' ? float16BitsToFloat32Bits(float32BitsToFloat16Bits(b)) : bfloat16BitsToFloat32Bits(float32BitsToBfloat16Bits(b));
  }
  return tf.tensor(out, x.shape, 'float32');
}

/** The ONNX dtype of CastLike's second input, when the graph declares it. */
function likeDtype(ctx: OpContext): string | undefined {
  return ctx.inputDtype(1);
}


defineOp(
  'Cast',
  ([x], ctx) => {
    const onnxTo = dtypeFromOnnxCode(ctx.int('to', 1));
    const to = tfDtype(onnxTo);
    if (onnxTo === 'float16' || onnxTo === 'bfloat16') return roundToHalf(tf.cast(x!, 'float32'), onnxTo);
    if (to === x!.dtype) return x!;
    // float -> int truncates toward zero in ONNX; tfjs cast does the same.
    return tf.cast(x!, to);
  },
  { layout: 'elementwise' },
);

defineOp(
  'CastLike',
  ([x, like], ctx) => {
    const onnxTo = likeDtype(ctx);
    if (onnxTo === 'float16' || onnxTo === 'bfloat16') return roundToHalf(tf.cast(x!, 'float32'), onnxTo);
    return x!.dtype === like!.dtype ? x! : tf.cast(x!, like!.dtype);
  },
  { layout: 'elementwise' },
);
