import * as tf from '@tensorflow/tfjs-core';
import { readFloats, readInts } from '../context.js';
import { constantNodeValue } from '../constant-nodes.js';
import { constToTensor, tfDtype } from '../dtype.js';
import { defineOp, registerOp } from '../registry.js';
import { onnxShape, plain, type Value } from '../value.js';

/** Shape reports the ONNX shape (not the stored channels-last one); start/end from opset 15. */
registerOp({
  opType: 'Shape',
  layout: 'custom',
  runValues: ([xv], ctx): Value => {
    const shape = onnxShape(xv!);
    const r = shape.length;
    const clampAxis = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
    const start = clampAxis(ctx.int('start', 0));
    const end = clampAxis(ctx.int('end', r));
    return plain(tf.tensor1d(shape.slice(start, Math.max(start, end)), 'int32'));
  },
});

registerOp({
  opType: 'Size',
  layout: 'custom',
  runValues: ([xv]) => plain(tf.scalar(xv!.t.size, 'int32')),
});

/** Constant nodes are folded at build time; this runs only if one is executed directly. */
defineOp('Constant', (_, ctx) => constToTensor(constantNodeValue(ctx.node)));

defineOp('ConstantOfShape', ([shapeT], ctx) => {
  const shape = readInts(shapeT);
  const a = ctx.attribute('value');
  if (!a || a.type !== 'tensor') return tf.zeros(shape, 'float32');
  const dtype = tfDtype(a.value.dtype);
  const v = constToTensor(a.value);
  const value = readFloats(v)[0] ?? 0;
  v.dispose();
  return tf.fill(shape, value, dtype);
});

/** Expand: bidirectional broadcast of x against `shape`. */
defineOp(
  'Expand',
  ([x, shapeT]) => {
    const want = readInts(shapeT);
    const shape = tf.broadcast_util.assertAndGetBroadcastShape(x!.shape, want);
    const y = x!.rank < shape.length ? tf.reshape(x!, [...new Array<number>(shape.length - x!.rank).fill(1), ...x!.shape]) : x!;
    return shape.join() === y.shape.join() ? y : tf.broadcastTo(y, shape);
  },
);

defineOp('Tile', ([x, repeatsT]) => tf.tile(x!, readInts(repeatsT)));

/** Range: ceil((limit - start) / delta) elements. */
defineOp('Range', ([start, limit, delta]) => {
  const [s, l, d] = [start!, limit!, delta!].map((t) => readFloats(t)[0]);
  const n = Math.max(Math.ceil((l - s) / d), 0);
  const dtype = start!.dtype === 'int32' ? 'int32' : 'float32';
  if (n === 0) return tf.tensor1d([], dtype);
  return tf.add(tf.mul(tf.range(0, n, 1, dtype), tf.scalar(d, dtype)), tf.scalar(s, dtype));
});
