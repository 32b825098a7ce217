import * as tf from '@tensorflow/tfjs-core';
import { readFloats, readInts, type OpContext } from '../context.js';
import { registerOp } from '../registry.js';
import { canonical, onnxShape, storedAxis, type Value } from '../value.js';
import { axisTaps, type AxisSpec, type AxisTaps } from './resize-coords.js';

/**
 * Resize (opset 10-19) and Upsample, separably: for each resized axis, gather the source taps and
 * blend them with per-output weights computed on the host. This covers nearest/linear/cubic, every
 * coordinate_transformation_mode and nearest_mode, works in any layout and is differentiable.
 */
function runResize(ins: (Value | undefined)[], ctx: OpContext): Value {
  const xv = ins[0]!;
  const shape = onnxShape(xv);
  const rank = shape.length;
  const upsample = ctx.node.opType === 'Upsample';
  const v10 = upsample || ctx.opset < 11;
  const read = (v: Value | undefined) => (v ? readFloats(canonical(v)) : []);
  const scalesIn = upsample ? (ctx.opset < 9 ? (ctx.floats('scales') ?? []) : read(ins[1])) : read(v10 ? ins[1] : ins[2]);
  const sizesIn = v10 ? [] : ins[3] ? readInts(canonical(ins[3])) : [];
  const roiIn = v10 ? [] : read(ins[1]);
  const axes = (ctx.ints('axes') ?? Array.from({ length: rank }, (_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const mode = ctx.string('mode', 'nearest');
  if (ctx.int('antialias', 0) === 1) throw ctx.error('antialias is not supported');
  const coordMode = v10 ? 'asymmetric' : ctx.string('coordinate_transformation_mode', 'half_pixel');
  const nearestMode = v10 ? 'floor' : ctx.string('nearest_mode', 'round_prefer_floor');
  const specs = new Map<number, AxisSpec>();
  const policy = ctx.string('keep_aspect_ratio_policy', 'stretch');
  let common: number | undefined;
  if (sizesIn.length && policy !== 'stretch') {
    const ratios = axes.map((a, i) => sizesIn[i] / shape[a]);
    common = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
  }
  axes.forEach((a, i) => {
    const inLen = shape[a];
    let outLen: number;
    let scale: number;
    if (sizesIn.length) {
      scale = common ?? sizesIn[i] / inLen;
      outLen = common !== undefined ? Math.round(inLen * common) : sizesIn[i];
    } else {
      scale = scalesIn[i] ?? 1;
      outLen = Math.floor(inLen * scale);
    }
    const roi: [number, number] = roiIn.length ? [roiIn[i], roiIn[i + axes.length]] : [0, 1];
    if (outLen !== inLen || scale !== 1 || coordMode === 'tf_crop_and_resize') specs.set(a, { inLen, outLen, scale, roi });
  });
  let y = xv.t;
  const extrapolation = ctx.float('extrapolation_value', 0);
  const plans = [...specs].map(([a, spec]) => ({ ax: storedAxis(xv, a), spec, taps: axisTaps(ctx, spec, mode, coordMode, nearestMode) }));
  // Fast path: integer nearest upsampling (the usual FPN/U-Net "x2") is a broadcast, not a gather.
  const factors = plans.map((p) => integerRepeat(p.taps, p.spec));
  if (plans.length > 0 && factors.every((f) => f > 0)) return { t: repeatAxes(y, plans.map((p) => p.ax), factors), perm: xv.perm };
  for (const { ax, spec, taps } of plans) {
    const bshape = y.shape.map((d, k) => (k === ax ? spec.outLen : 1));
    let acc: tf.Tensor | undefined;
    taps.index.forEach((idx, t) => {
      const part = tf.gather(y, tf.tensor1d(idx, 'int32'), ax);
      const weighted = taps.index.length === 1 ? part : tf.mul(part, tf.tensor(taps.weight[t], bshape));
      acc = acc ? tf.add(acc, weighted) : weighted;
    });
    if (taps.valid) acc = tf.where(tf.broadcastTo(tf.tensor(taps.valid.map(Number), bshape, 'bool'), acc!.shape), acc!, tf.fill(acc!.shape, extrapolation));
    y = acc!;
  }
  return { t: y, perm: xv.perm };
}

/** s when output o reads input floor(o / s) with weight 1 (out = in * s); 0 otherwise. */
function integerRepeat(taps: AxisTaps, spec: AxisSpec): number {
  const s = spec.outLen / spec.inLen;
  if (taps.index.length !== 1 || taps.valid || !Number.isInteger(s) || s < 1) return 0;
  return taps.index[0].every((i, o) => i === Math.floor(o / s)) ? s : 0;
}

/** Repeats each entry of the given axes s times: reshape [.., L, 1, ..] → broadcast → merge. */
function repeatAxes(x: tf.Tensor, axes: number[], factors: number[]): tf.Tensor {
  // NHWC H/W: tfjs's own nearest kernel (floor(o * in / out) = floor(o / s) here) is the fastest.
  const hw = axes.length <= 2 && x.rank === 4 && axes.every((a) => a === 1 || a === 2);
  if (hw) {
    const sh = x.shape as number[];
    const size: [number, number] = [sh[1] * (factors[axes.indexOf(1)] ?? 1), sh[2] * (factors[axes.indexOf(2)] ?? 1)];
    return tf.image.resizeNearestNeighbor(x as tf.Tensor4D, size, false, false);
  }
  let y = x;
  axes.forEach((ax, i) => {
    const s = factors[i];
    if (s === 1) return;
    const shape = [...y.shape.slice(0, ax + 1), 1, ...y.shape.slice(ax + 1)];
    // concat of s views: wasm runs broadcastTo as a slow Tile.
    const one = tf.reshape(y, shape);
    const wide = tf.concat(new Array<tf.Tensor>(s).fill(one), ax + 1);
    y = tf.reshape(wide, y.shape.map((d, k) => (k === ax ? d * s : d)));
  });
  return y;
}

registerOp({ opType: 'Resize', layout: 'custom', runValues: runResize });
registerOp({ opType: 'Upsample', layout: 'custom', runValues: runResize });
