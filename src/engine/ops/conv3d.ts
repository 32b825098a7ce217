import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from '../context.js';
import { canonical, onnxShape, withPerm, type Value } from '../value.js';
import { geometry } from './conv-util.js';

/** 3-D Conv on NDHWC data: explicit padding, tfjs conv3d 'valid', groups by splitting channels. */
const NDHWC = [0, 2, 3, 4, 1];

export function conv3dOp([xv, wv, bv]: (Value | undefined)[], ctx: OpContext): Value {
  const xs = onnxShape(xv!);
  const ws = onnxShape(wv!);
  const g = geometry(ctx, xs.slice(2), ws.slice(2));
  let x = withPerm(xv!, NDHWC) as tf.Tensor5D;
  const w = withPerm(wv!, [2, 3, 4, 1, 0]) as tf.Tensor5D;
  if (g.pads.some(([a, b]) => a || b)) x = tf.pad(x, [[0, 0], ...g.pads, [0, 0]]);
  const s = g.strides as [number, number, number];
  const d = g.dilations as [number, number, number];
  const both = s.some((v) => v > 1) && d.some((v) => v > 1);
  const stride: [number, number, number] = both ? [1, 1, 1] : s;
  const group = ctx.int('group', 1);
  const xsplit = group === 1 ? [x] : tf.split(x, group, 4);
  const wsplit = group === 1 ? [w] : tf.split(w, group, 4);
  let y: tf.Tensor = tf.concat(xsplit.map((xi, i) => tf.conv3d(xi as tf.Tensor5D, wsplit[i] as tf.Tensor5D, stride, 'valid', 'NDHWC', d)), 4);
  if (both) y = tf.stridedSlice(y, [0, 0, 0, 0, 0], y.shape, [1, ...s, 1]);
  if (bv) y = tf.add(y, canonical(bv));
  return { t: y, perm: NDHWC };
}

/**
 * 3-D ConvTranspose as a stride-1 conv3d (wasm's Conv3DBackpropInputV2 gives wrong results): zeros
 * inserted between input voxels one axis at a time (keeps tensors within tfjs's rank 6), padded by
 * (k-1)*d - pad (+ output_padding at the end), convolved with the flipped kernel. No groups.
 */
export function convTranspose3dOp([xv, wv, bv]: (Value | undefined)[], ctx: OpContext, pads: [number, number][], outPad: number[]): Value {
  if (ctx.int('group', 1) !== 1) throw ctx.error('3-D ConvTranspose with groups is not supported');
  const s = ctx.ints('strides') ?? [1, 1, 1];
  const d = (ctx.ints('dilations') ?? [1, 1, 1]) as [number, number, number];
  let x: tf.Tensor = withPerm(xv!, NDHWC);
  for (let a = 0; a < 3; a++) x = spreadAxis(x, a + 1, s[a]);
  const k = onnxShape(wv!).slice(2);
  const p = k.map((kk, i) => [(kk - 1) * d[i] - pads[i][0], (kk - 1) * d[i] - pads[i][1] + outPad[i]]);
  const grow = p.map(([a, b]) => [Math.max(a, 0), Math.max(b, 0)] as [number, number]);
  x = tf.pad(x, [[0, 0], ...grow, [0, 0]]);
  const crop = p.map(([a, b]) => [Math.max(-a, 0), Math.max(-b, 0)]);
  const sh = x.shape as number[];
  x = tf.slice(x, [0, ...crop.map((c) => c[0]), 0], [sh[0], ...crop.map((c, i) => sh[i + 1] - c[0] - c[1]), sh[4]]);
  // ONNX [Cin, Cout, kd, kh, kw] → conv3d filter [kd, kh, kw, Cin, Cout], flipped in space.
  const w = tf.reverse(tf.transpose(canonical(wv!), [2, 3, 4, 0, 1]), [0, 1, 2]) as tf.Tensor5D;
  let y: tf.Tensor = tf.conv3d(x as tf.Tensor5D, w, [1, 1, 1], 'valid', 'NDHWC', d);
  if (bv) y = tf.add(y, canonical(bv));
  return { t: y, perm: NDHWC };
}

/** Inserts (stride-1) zeros between the entries of one axis. */
function spreadAxis(x: tf.Tensor, axis: number, stride: number): tf.Tensor {
  if (stride === 1) return x;
  const len = x.shape[axis];
  const shape = [...x.shape.slice(0, axis + 1), 1, ...x.shape.slice(axis + 1)];
  const padding = shape.map((_, i) => (i === axis + 1 ? [0, stride - 1] : [0, 0]) as [number, number]);
  const spread = tf.reshape(tf.pad(tf.reshape(x, shape), padding), x.shape.map((v, i) => (i === axis ? v * stride : v)));
  return tf.slice(spread, spread.shape.map(() => 0), spread.shape.map((v, i) => (i === axis ? (len - 1) * stride + 1 : v)));
}
