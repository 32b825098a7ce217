import * as tf from '@tensorflow/tfjs-core';
import type { DType } from '../../graph/index.js';
import type { OpContext } from '../context.js';
import { defineOp, registerOp } from '../registry.js';
import { canonical, plain, type Value } from '../value.js';
import { matmulNd } from './gemm.js';
import { runConv } from './conv.js';

/**
 * Integer ops of QOperator-format models (onnxruntime's quantizer): ConvInteger, MatMulInteger,
 * QLinearConv, QLinearMatMul, DynamicQuantizeLinear. Emulated in float32, which is exact for integer
 * accumulations below 2^24; requantisation rounds half to even and saturates to the zero point's type.
 */
const RANGE: Partial<Record<DType, [number, number]>> = { uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767] };

const f32 = (t: tf.Tensor) => tf.cast(t, 'float32');

/** Subtracts a zero point that is a scalar or per-channel along `axis` of x. */
function centered(x: tf.Tensor, zp: tf.Tensor | undefined, axis: number): tf.Tensor {
  if (!zp) return f32(x);
  const z = zp.size === 1 ? tf.reshape(f32(zp), []) : tf.reshape(f32(zp), x.shape.map((d, i) => (i === axis ? d : 1)));
  return tf.sub(f32(x), z);
}

function requantize(acc: tf.Tensor, scale: tf.Tensor, zp: tf.Tensor | undefined, zpType: DType | undefined): tf.Tensor {
  const [lo, hi] = RANGE[zpType ?? 'uint8'] ?? [0, 255];
  let q = tf.round(tf.mul(acc, scale));
  if (zp) q = tf.add(q, tf.reshape(f32(zp), []));
  return tf.cast(tf.clipByValue(q, lo, hi), 'int32');
}

/** conv((x - xzp), (w - wzp)) in float, channels-last like Conv; w_zp/w_scale may be per output channel. */
function integerConv(x: Value, w: Value, xzp: tf.Tensor | undefined, wzp: tf.Tensor | undefined, ctx: OpContext): Value {
  const xc = plain(centered(canonical(x), xzp, 1));
  const wc = plain(centered(canonical(w), wzp, 0));
  return runConv([xc, wc, undefined], ctx);
}

registerOp({
  opType: 'ConvInteger',
  layout: 'custom',
  runValues: ([x, w, xzp, wzp], ctx) => {
    const y = integerConv(x!, w!, xzp && canonical(xzp), wzp && canonical(wzp), ctx);
    return { t: tf.cast(tf.round(y.t), 'int32'), perm: y.perm };
  },
});

registerOp({
  opType: 'QLinearConv',
  layout: 'custom',
  runValues: ([x, xs, xzp, w, ws, wzp, ys, yzp, b], ctx) => {
    const y = integerConv(x!, w!, canonical(xzp!), canonical(wzp!), ctx);
    let acc = y.t;
    if (b) acc = tf.add(acc, f32(canonical(b)));
    // x_scale * w_scale / y_scale, per output channel (the stored layout's last axis) when w_scale is.
    const scale = tf.div(tf.mul(canonical(xs!), canonical(ws!)), canonical(ys!));
    return { t: requantize(acc, scale.size === 1 ? tf.reshape(scale, []) : scale, canonical(yzp!), ctx.inputDtype(7)), perm: y.perm };
  },
});

defineOp('MatMulInteger', ([a, b, azp, bzp]) => {
  const ac = centered(a!, azp, a!.rank - 2);
  const bc = centered(b!, bzp, b!.rank - 1);
  return tf.cast(tf.round(matmulNd(ac, bc)), 'int32');
});

defineOp('QLinearMatMul', ([a, as, azp, b, bs, bzp, ys, yzp], ctx) => {
  const ac = centered(a!, azp, a!.rank - 2);
  const bc = centered(b!, bzp, b!.rank - 1);
  const bscale = bs!.size === 1 ? tf.reshape(bs!, []) : bs!;
  const scale = tf.div(tf.mul(tf.reshape(as!, []), bscale), tf.reshape(ys!, []));
  return requantize(matmulNd(ac, bc), scale, yzp, ctx.inputDtype(7));
});

/** uint8 asymmetric quantisation with the range widened to include 0. */
defineOp('DynamicQuantizeLinear', ([x]) => {
  const lo = tf.minimum(tf.min(x!), 0);
  const hi = tf.maximum(tf.max(x!), 0);
  const scale = tf.div(tf.sub(hi, lo), 255);
  const zp = tf.clipByValue(tf.round(tf.sub(0, tf.div(lo, scale))), 0, 255);
  const y = tf.clipByValue(tf.add(tf.round(tf.div(x!, scale)), zp), 0, 255);
  return [tf.cast(y, 'int32'), scale, tf.cast(zp, 'int32')];
});

