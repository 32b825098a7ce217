import * as tf from '@tensorflow/tfjs-core';
import type { GraphNode } from '../../graph/index.js';
import type { OpContext } from '../context.js';
import { registerOp } from '../registry.js';
import { canonical, withPerm, type Value } from '../value.js';

/**
 * Gemm: Y = alpha * A' B' + beta * C. B is stored as [K, N] whatever transB says, so matMul never
 * runs with transpose flags (wasm's transposed BatchMatMul path is ~10x slower).
 */
const transB = (node: GraphNode) => Number(node.attributes.transB?.value ?? 0) === 1;

function runGemm([av, bv, cv]: (Value | undefined)[], ctx: OpContext): Value {
  let a = canonical(av!);
  if (ctx.int('transA', 0)) a = tf.transpose(a);
  const b = withPerm(bv!, ctx.int('transB', 0) ? [1, 0] : null);
  const alpha = ctx.float('alpha', 1);
  const beta = ctx.float('beta', 1);
  const c = cv ? canonical(cv) : undefined;
  let y: tf.Tensor;
  if (c && alpha === 1 && beta === 1 && c.rank === 1 && c.shape[0] === b.shape[1] && c.dtype === 'float32') y = tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c });
  else {
    y = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
    if (alpha !== 1) y = tf.mul(y, alpha);
    if (c) y = tf.add(y, beta === 1 ? c : tf.mul(c, beta));
  }
  return { t: y, perm: null };
}

registerOp({
  opType: 'Gemm',
  layout: 'custom',
  runValues: runGemm,
  weightPorts: () => [1, 2],
  weightPerm: (node, port) => (port === 1 && transB(node) ? [1, 0] : null),
});

/** numpy-style matmul: 1-D operands, broadcast batch dims; [.., K] x [K, N] runs as one 2-D matMul. */
export function matmulNd(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const squeezeA = a.rank === 1;
  const squeezeB = b.rank === 1;
  if (squeezeA) a = tf.reshape(a, [1, a.shape[0]]);
  if (squeezeB) b = tf.reshape(b, [b.shape[0], 1]);
  const m = a.shape[a.rank - 2];
  const k = a.shape[a.rank - 1];
  const n = b.shape[b.rank - 1];
  let y: tf.Tensor;
  let outShape: number[];
  if (b.rank === 2) {
    outShape = [...a.shape.slice(0, -1), n];
    y = tf.matMul(tf.reshape(a, [-1, k]) as tf.Tensor2D, b as tf.Tensor2D);
  } else {
    const batch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const size = batch.reduce((p, q) => p * q, 1);
    const a3 = tf.reshape(tf.broadcastTo(a, [...batch, m, k]), [size, m, k]) as tf.Tensor3D;
    const b3 = tf.reshape(tf.broadcastTo(b, [...batch, k, n]), [size, k, n]) as tf.Tensor3D;
    outShape = [...batch, m, n];
    y = tf.matMul(a3, b3);
  }
  if (squeezeA) outShape.splice(outShape.length - 2, 1);
  if (squeezeB) outShape.splice(outShape.length - 1, 1);
  return tf.reshape(y, outShape);
}

registerOp({
  opType: 'MatMul',
  layout: 'onnx',
  run: ([a, b]) => (a!.dtype === 'int32' ? tf.cast(matmulNd(tf.cast(a!, "float32"), tf.cast(b!, "float32")), "int32") : matmulNd(a!, b!)),
  weightPorts: () => [0, 1],
});
