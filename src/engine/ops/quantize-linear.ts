import * as tf from '@tensorflow/tfjs-core';
import type { DType } from '../../graph/index.js';
import { normAxis, type OpContext } from '../context.js';
import { defineOp } from '../registry.js';

/**
 * QuantizeLinear / DequantizeLinear (opset 10-21): per-tensor, per-axis (`axis`, opset 13) and
 * blocked (`block_size`, opset 21) scales. Integers are held as int32; the zero point's ONNX dtype
 * (uint8 by default) sets the saturation range. Rounding is half to even, as ONNX specifies.
 */
const RANGES: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint4: [0, 15],
  int4: [-8, 7],
  int32: [-2147483648, 2147483647],
};

/** Reshapes a per-axis [C] or blocked scale so it broadcasts against x. */
function broadcastParam(p: tf.Tensor, x: tf.Tensor, ctx: OpContext): tf.Tensor {
  if (p.rank === 0 || p.size === 1) return tf.reshape(p, []);
  const axis = normAxis(ctx.int('axis', 1), x.rank, ctx);
  const block = ctx.int('block_size', 0);
  if (block > 0) {
    // Blocked: p has x's shape with dim `axis` divided by block_size; repeat each entry block times.
    const rep = tf.tile(tf.expandDims(p, axis + 1), expandReps(p.rank, axis, block));
    const merged = tf.reshape(rep, p.shape.map((d, i) => (i === axis ? d * block : d)));
    return tf.slice(merged, merged.shape.map(() => 0), x.shape);
  }
  return tf.reshape(p, x.shape.map((d, i) => (i === axis ? d : 1)));
}

function expandReps(rank: number, axis: number, block: number): number[] {
  return Array.from({ length: rank + 1 }, (_, i) => (i === axis + 1 ? block : 1));
}

defineOp('QuantizeLinear', ([x, scale, zp], ctx) => {
  const outType = (zp ? ctx.inputDtype(2) : undefined) ?? (ctx.int('output_dtype') ? undefined : 'uint8');
  const [lo, hi] = RANGES[outType ?? 'uint8'] ?? [0, 255];
  const s = broadcastParam(tf.cast(scale!, 'float32'), x!, ctx);
  let q = tf.round(tf.div(tf.cast(x!, 'float32'), s));
  if (zp) q = tf.add(q, broadcastParam(tf.cast(zp, 'float32'), x!, ctx));
  return tf.cast(tf.clipByValue(q, lo, hi), 'int32');
});

defineOp('DequantizeLinear', ([x, scale, zp], ctx) => {
  const s = broadcastParam(tf.cast(scale!, 'float32'), x!, ctx);
  let v = tf.cast(x!, 'float32');
  if (zp) v = tf.sub(v, broadcastParam(tf.cast(zp, 'float32'), x!, ctx));
  return tf.mul(v, s);
});
