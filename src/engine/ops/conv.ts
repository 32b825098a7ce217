import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from '../context.js';
import { registerOp } from '../registry.js';
import { canonical, onnxShape, withPerm, type Value } from '../value.js';
import { as2d, explicitPad, geometry, type Geometry } from './conv-util.js';
import { conv3dOp } from './conv3d.js';

/**
 * Conv (1-D and 2-D, groups, dilations, pads, auto_pad) on channels-last activations. The weight is
 * stored once as [kh,kw,in/g,out] (perm [2,3,1,0]) so the forward pass never transposes it.
 */
const NHWC = [0, 2, 3, 1];
const NWC = [0, 2, 1];

export function convWeightPerm(rank: number): number[] | null {
  return rank === 4 ? [2, 3, 1, 0] : rank === 3 ? [2, 1, 0] : rank === 5 ? [2, 3, 4, 1, 0] : null;
}

export function runConv([xv, wv, bv]: (Value | undefined)[], ctx: OpContext): Value {
  const xs = onnxShape(xv!);
  const ws = onnxShape(wv!);
  const spatial = xs.length - 2;
  if (spatial === 3) return conv3dOp([xv, wv, bv], ctx);
  if (spatial !== 1 && spatial !== 2) throw ctx.error(`only 1-D, 2-D and 3-D convolutions are supported (input rank ${xs.length})`);
  const g = geometry(ctx, xs.slice(2), ws.slice(2));
  let x = withPerm(xv!, spatial === 2 ? NHWC : NWC);
  let w = withPerm(wv!, convWeightPerm(ws.length));
  if (spatial === 1) {
    x = tf.reshape(x, [xs[0], 1, xs[2], xs[1]]);
    w = tf.reshape(w, [1, ...w.shape]);
  }
  const group = ctx.int('group', 1);
  const y = conv2dGrouped(x as tf.Tensor4D, w as tf.Tensor4D, as2d(g), group, bv && canonical(bv));
  const out: tf.Tensor = spatial === 1 ? tf.reshape(y, [y.shape[0], y.shape[2], y.shape[3]]) : y;
  return { t: out, perm: spatial === 2 ? NHWC : NWC };
}

/** NHWC conv with filter [kh,kw,cin/g,cout] and optional bias [cout]. */
export type FusedActivation = 'linear' | 'relu' | 'relu6';

export function conv2dGrouped(x: tf.Tensor4D, w: tf.Tensor4D, g: Geometry, group: number, bias?: tf.Tensor, activation: FusedActivation = 'linear'): tf.Tensor4D {
  const strides = g.strides as [number, number];
  let dil = g.dilations as [number, number];
  // tfjs-core's own conv gradients reject dilation > 1; our wasm gradient kernels handle it. Elsewhere,
  // dilate the filter with zeros instead (same result, differentiable everywhere).
  if (dil.some((d) => d > 1) && tf.getBackend() !== 'wasm') {
    w = dilateFilter(w, dil);
    dil = [1, 1];
  }
  const both = strides.some((s) => s > 1) && dil.some((d) => d > 1);
  // tfjs refuses stride>1 together with dilation>1: run stride 1, then subsample.
  const s: [number, number] = both ? [1, 1] : strides;
  const pad = explicitPad(g.pads);
  const cin = x.shape[3];
  let y: tf.Tensor4D;
  if (group === 1) {
    if (bias && dil.every((d) => d === 1) && !both) return tf.fused.conv2d({ x, filter: w, strides: s, pad, dilations: dil, bias, activation });
    y = addBias(tf.conv2d(x, w, s, pad, 'NHWC', dil), bias);
  } else if (group === cin && w.shape[2] === 1) {
    const dw = tf.reshape(w, [w.shape[0], w.shape[1], cin, w.shape[3] / cin]) as tf.Tensor4D;
    y = addBias(tf.depthwiseConv2d(x, dw, s, pad, 'NHWC', dil), bias);
  } else {
    const xs = tf.split(x, group, 3);
    const ws = tf.split(w, group, 3);
    y = addBias(tf.concat(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ws[i] as tf.Tensor4D, s, pad, 'NHWC', dil)), 3) as tf.Tensor4D, bias);
  }
  if (both) {
    const [, h, wd, c] = y.shape;
    y = tf.stridedSlice(y, [0, 0, 0, 0], [y.shape[0], h, wd, c], [1, strides[0], strides[1], 1]) as tf.Tensor4D;
  }
  return activation === 'relu' ? tf.relu(y) : activation === 'relu6' ? tf.relu6(y) : y;
}

/** [kh,kw,ci,co] → [(kh-1)dh+1, (kw-1)dw+1, ci, co] with zeros between the taps. */
function dilateFilter(w: tf.Tensor4D, d: [number, number]): tf.Tensor4D {
  const [kh, kw, ci, co] = w.shape;
  const spread = tf.pad(tf.reshape(w, [kh, 1, kw, 1, ci, co]), [[0, 0], [0, d[0] - 1], [0, 0], [0, d[1] - 1], [0, 0], [0, 0]]);
  const full = tf.reshape(spread, [kh * d[0], kw * d[1], ci, co]);
  return tf.slice(full, [0, 0, 0, 0], [(kh - 1) * d[0] + 1, (kw - 1) * d[1] + 1, ci, co]) as tf.Tensor4D;
}

function addBias<T extends tf.Tensor>(y: T, bias?: tf.Tensor): T {
  return bias ? tf.add(y, bias) : y;
}

registerOp({
  opType: 'Conv',
  layout: 'custom',
  runValues: runConv,
  weightPorts: () => [1, 2],
  weightPerm: (_node, port, dims) => (port === 1 ? convWeightPerm(dims.length) : null),
});
