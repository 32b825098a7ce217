import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from '../context.js';
import { registerOp } from '../registry.js';
import { canonical, onnxShape, withPerm, type Value } from '../value.js';

/**
 * GridSample (2-D; opset 16 names bilinear/nearest/bicubic, opset 20 linear/nearest/cubic), padding
 * zeros / border / reflection, align_corners. Coordinates are computed with tf ops (differentiable in
 * the grid for linear/cubic), pixels fetched with one gather per tap from the NHWC input.
 */
function runGridSample([xv, gv]: (Value | undefined)[], ctx: OpContext): Value {
  const [n, c, h, w] = onnxShape(xv!);
  if (onnxShape(xv!).length !== 4) throw ctx.error('only 2-D GridSample is supported');
  const grid = canonical(gv!); // [N, Ho, Wo, 2] as (x, y)
  const [, ho, wo] = grid.shape;
  const mode = ctx.string('mode', 'bilinear').replace(/^linear$/, 'bilinear').replace(/^cubic$/, 'bicubic');
  const padding = ctx.string('padding_mode', 'zeros');
  const align = ctx.int('align_corners', 0) === 1;
  const table = tf.reshape(withPerm(xv!, [0, 2, 3, 1]), [n * h * w, c]);
  const [gx, gy] = tf.split(grid, 2, 3).map((t) => tf.reshape(t, [n, ho, wo]));
  const denorm = (v: tf.Tensor, len: number) => (align ? tf.mul(tf.add(v, 1), (len - 1) / 2) : tf.div(tf.sub(tf.mul(tf.add(v, 1), len), 1), 2));
  const bounds = (len: number): [number, number] => (align ? [0, len - 1] : [-0.5, len - 0.5]);
  let x = denorm(gx, w);
  let y = denorm(gy, h);
  // As onnxruntime: the coordinate itself is clamped / reflected except for bicubic, whose 4x4 taps
  // handle the padding pixel by pixel.
  const moveCoords = mode !== 'bicubic';
  if (moveCoords && padding === 'border') {
    x = tf.clipByValue(x, 0, w - 1);
    y = tf.clipByValue(y, 0, h - 1);
  } else if (moveCoords && padding === 'reflection') {
    x = reflect(x, ...bounds(w));
    y = reflect(y, ...bounds(h));
  }
  const batchBase = tf.reshape(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(h * w, 'int32')), [n, 1, 1]);
  /** Input pixels at integer (yi, xi) with weight wt, honouring the padding mode for out-of-range taps. */
  const tap = (yi: tf.Tensor, xi: tf.Tensor, wt: tf.Tensor): tf.Tensor => {
    let yy = yi;
    let xx = xi;
    let weight = wt;
    if (padding === 'zeros') {
      const inside = tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(xx, 0), tf.lessEqual(xx, w - 1)), tf.logicalAnd(tf.greaterEqual(yy, 0), tf.lessEqual(yy, h - 1)));
      weight = tf.mul(weight, tf.cast(inside, 'float32'));
    } else if (padding === 'reflection') {
      xx = tf.round(reflect(xx, ...bounds(w)));
      yy = tf.round(reflect(yy, ...bounds(h)));
    }
    xx = tf.clipByValue(xx, 0, w - 1);
    yy = tf.clipByValue(yy, 0, h - 1);
    const idx = tf.add(batchBase, tf.cast(tf.add(tf.mul(yy, w), xx), 'int32'));
    const px = tf.reshape(tf.gather(table, tf.reshape(idx, [-1])), [n, ho, wo, c]);
    return tf.mul(px, tf.expandDims(weight, 3));
  };
  let out: tf.Tensor;
  if (mode === 'nearest') out = tap(tf.round(y), tf.round(x), tf.onesLike(x));
  else if (mode === 'bilinear') {
    const x0 = tf.floor(x);
    const y0 = tf.floor(y);
    const fx = tf.sub(x, x0);
    const fy = tf.sub(y, y0);
    const [x1, y1] = [tf.add(x0, 1), tf.add(y0, 1)];
    const one = (t: tf.Tensor) => tf.sub(1, t);
    out = tf.addN([tap(y0, x0, tf.mul(one(fy), one(fx))), tap(y0, x1, tf.mul(one(fy), fx)), tap(y1, x0, tf.mul(fy, one(fx))), tap(y1, x1, tf.mul(fy, fx))]);
  } else if (mode === 'bicubic') {
    const x0 = tf.sub(tf.floor(x), 1);
    const y0 = tf.sub(tf.floor(y), 1);
    const wx = cubicWeights(tf.sub(x, tf.floor(x)));
    const wy = cubicWeights(tf.sub(y, tf.floor(y)));
    const parts: tf.Tensor[] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) parts.push(tap(tf.add(y0, i), tf.add(x0, j), tf.mul(wy[i], wx[j])));
    out = tf.addN(parts);
  } else throw ctx.error(`unsupported mode "${mode}"`);
  return { t: out, perm: [0, 2, 3, 1] };
}

/** Reflects coordinates into [lo, hi] (ONNX / onnxruntime GsReflect). */
function reflect(x: tf.Tensor, lo: number, hi: number): tf.Tensor {
  const range = hi - lo;
  const below = tf.less(x, lo);
  const dx = tf.where(below, tf.sub(lo, x), tf.sub(x, hi));
  const k = tf.floor(tf.div(dx, range));
  const r = tf.sub(dx, tf.mul(k, range));
  const even = tf.equal(tf.mod(k, 2), 0);
  const fromLo = tf.add(lo, r);
  const fromHi = tf.sub(hi, r);
  const reflected = tf.where(below, tf.where(even, fromLo, fromHi), tf.where(even, fromHi, fromLo));
  const inside = tf.logicalAnd(tf.greaterEqual(x, lo), tf.lessEqual(x, hi));
  return tf.where(inside, x, reflected);
}

/** Cubic convolution weights (A = -0.75) for taps at -1, 0, 1, 2 around t in [0, 1). */
function cubicWeights(t: tf.Tensor): tf.Tensor[] {
  const A = -0.75;
  const far = (d: tf.Tensor) => tf.add(tf.mul(tf.add(tf.mul(tf.sub(tf.mul(d, A), 5 * A), d), 8 * A), d), -4 * A);
  const near = (d: tf.Tensor) => tf.add(tf.mul(tf.mul(tf.sub(tf.mul(d, A + 2), A + 3), d), d), 1);
  const s = tf.sub(1, t);
  return [far(tf.add(t, 1)), near(t), near(s), far(tf.add(s, 1))];
}

registerOp({ opType: 'GridSample', layout: 'custom', runValues: runGridSample });
