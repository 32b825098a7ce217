import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from '../context.js';
import { onnxShape, withPerm, type Value } from '../value.js';
import type { Geometry } from './conv-util.js';

/** The less common pooling paths: 3-D pooling and MaxPool's Indices output. */
/** 3-D pooling (NDHWC) with explicit padding and tfjs's 3-D kernels; dilations must be 1. */
export function pool3d(xv: Value, kind: 'max' | 'avg', g: Geometry, extra: number[], ctx: OpContext): Value {
  if (g.dilations.some((v) => v !== 1)) throw ctx.error('3-D pooling with dilations is not supported');
  const perm = [0, 2, 3, 4, 1];
  const x = withPerm(xv, perm) as tf.Tensor5D;
  const pads = [[0, 0], ...g.pads.map((p, i) => [p[0], p[1] + extra[i]]), [0, 0]] as [number, number][];
  const hasPad = pads.some(([a, b]) => a || b);
  const k = g.kernel as [number, number, number];
  const s = g.strides as [number, number, number];
  // wasm's MaxPool3D starts from FLT_MIN (wrong for all-negative windows): take maxima of strided slices.
  if (kind === 'max') return { t: windowMax(hasPad ? tf.pad(x, pads, -3.4e38) : x, k, s), perm };
  const y = tf.avgPool3d(hasPad ? tf.pad(x, pads) : x, k, s, 'valid');
  if (!hasPad) return { t: y, perm };
  const includePad = ctx.int('count_include_pad', 0) === 1;
  const sp = onnxShape(xv);
  let m = tf.ones([1, sp[2], sp[3], sp[4], 1]) as tf.Tensor5D;
  m = tf.pad(m, [[0, 0], ...g.pads, [0, 0]] as [number, number][], includePad ? 1 : 0);
  m = tf.pad(m, [[0, 0], ...extra.map((e) => [0, e]), [0, 0]] as [number, number][], 0);
  return { t: tf.div(y, tf.avgPool3d(m, k, s, 'valid')), perm };
}

/** Max over 'valid' windows of a channels-last tensor with any number of spatial axes. */
function windowMax(x: tf.Tensor, k: number[], s: number[]): tf.Tensor {
  const spatial = x.shape.slice(1, -1);
  const out = spatial.map((len, i) => Math.floor((len - k[i]) / s[i]) + 1);
  let acc: tf.Tensor | undefined;
  const offsets = k.reduce<number[][]>((all, kk) => all.flatMap((o) => Array.from({ length: kk }, (_, j) => [...o, j])), [[]]);
  for (const o of offsets) {
    const begin = [0, ...o, 0];
    const end = [x.shape[0], ...o.map((v, i) => v + (out[i] - 1) * s[i] + 1), x.shape[x.rank - 1]];
    const part = tf.stridedSlice(x, begin, end, [1, ...s, 1]);
    acc = acc ? tf.maximum(acc, part) : part;
  }
  return acc!;
}

/**
 * MaxPool's optional Indices output: flat NCHW offsets of each window's first maximum (row-major, or
 * column-major over H,W with storage_order 1), found by scanning the window offsets in order.
 */
export function maxPoolWithIndices(x: tf.Tensor4D, padAll: [number, number][], k: number[], s: number[], d: number[], colMajor: boolean): [tf.Tensor4D, tf.Tensor4D] {
  const [nb, h, w, c] = x.shape;
  const r = (len: number, shape: number[]) => tf.reshape(tf.range(0, len, 1, 'int32'), shape);
  const spatial = colMajor ? tf.add(tf.mul(r(w, [1, 1, w, 1]), h), r(h, [1, h, 1, 1])) : tf.add(tf.mul(r(h, [1, h, 1, 1]), w), r(w, [1, 1, w, 1]));
  const plane = tf.mul(tf.add(tf.mul(r(nb, [nb, 1, 1, 1]), c), r(c, [1, 1, 1, c])), h * w);
  const index = tf.add(plane, spatial) as tf.Tensor4D;
  const xp = tf.pad(x, padAll, -Infinity);
  const ip = tf.pad(index, padAll, -1);
  const [, hp, wp] = xp.shape;
  const oh = Math.floor((hp - (k[0] - 1) * d[0] - 1) / s[0]) + 1;
  const ow = Math.floor((wp - (k[1] - 1) * d[1] - 1) / s[1]) + 1;
  let best: tf.Tensor | undefined;
  let bestIdx: tf.Tensor | undefined;
  for (let i = 0; i < k[0]; i++)
    for (let j = 0; j < k[1]; j++) {
      const begin = [0, i * d[0], j * d[1], 0];
      const end = [nb, i * d[0] + (oh - 1) * s[0] + 1, j * d[1] + (ow - 1) * s[1] + 1, c];
      const v = tf.stridedSlice(xp, begin, end, [1, s[0], s[1], 1]);
      const id = tf.stridedSlice(ip, begin, end, [1, s[0], s[1], 1]);
      if (!best) [best, bestIdx] = [v, id];
      else {
        const better = tf.greater(v, best);
        best = tf.where(better, v, best);
        bestIdx = tf.where(better, id, bestIdx!);
      }
    }
  return [best as tf.Tensor4D, bestIdx as tf.Tensor4D];
}
