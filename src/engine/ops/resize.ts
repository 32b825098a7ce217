import * as tf from '@tensorflow/tfjs-core';
import { readFloats, readInts, type OpContext } from '../context.js';
import { registerOp } from '../registry.js';
import { canonical, onnxShape, storedAxis, type Value } from '../value.js';
import { axisTaps, type AxisSpec } from './resize-coords.js';

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
  for (const [a, spec] of specs) {
    const taps = axisTaps(ctx, spec, mode, coordMode, nearestMode);
    const ax = storedAxis(xv, a);
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

registerOp({ opType: 'Resize', layout: 'custom', runValues: runResize });
registerOp({ opType: 'Upsample', layout: 'custom', runValues: runResize });
