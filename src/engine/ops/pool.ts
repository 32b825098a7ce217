import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from '../context.js';
import { registerOp } from '../registry.js';
import { onnxShape, withPerm, type Value } from '../value.js';
import { geometry } from './conv-util.js';
import { maxPoolWithIndices, pool3d } from './pool-extra.js';

/**
 * MaxPool / AveragePool (1-D and 2-D, pads, ceil_mode, dilations, count_include_pad) on channels-last
 * data. Padding is applied explicitly (-inf for max, 0 for average) and pools run 'valid', so every
 * ONNX option maps onto tfjs's plain kernels; averages divide by a pooled mask of counted pixels.
 */
function runPool(kind: 'max' | 'avg') {
  return ([xv]: (Value | undefined)[], ctx: OpContext): Value[] => {
    const xs = onnxShape(xv!);
    const n = xs.length - 2;
    if (n < 1 || n > 3) throw ctx.error(`only 1-D, 2-D and 3-D pooling is supported (input rank ${xs.length})`);
    const kernel = ctx.ints('kernel_shape');
    if (!kernel) throw ctx.error('kernel_shape is required');
    const g = geometry(ctx, xs.slice(2), kernel);
    const ceil = ctx.int('ceil_mode', 0) === 1;
    // Extra end padding so 'valid' pooling yields the ceil_mode output size (windows must start inside).
    const extra = g.pads.map(([a, b], i) => {
      if (!ceil) return 0;
      const span = xs[i + 2] + a + b - ((g.kernel[i] - 1) * g.dilations[i] + 1);
      let out = Math.ceil(span / g.strides[i]) + 1;
      if ((out - 1) * g.strides[i] >= xs[i + 2] + a) out--;
      return Math.max(0, (out - 1) * g.strides[i] - span);
    });
    if (n === 3) return [pool3d(xv!, kind, g, extra, ctx)];
    const perm = n === 2 ? [0, 2, 3, 1] : [0, 2, 1];
    let x = withPerm(xv!, perm) as tf.Tensor4D;
    const intInput = x.dtype !== 'float32';
    if (intInput) x = tf.cast(x, 'float32');
    if (n === 1) x = tf.reshape(x, [xs[0], 1, xs[2], xs[1]]);
    const two = <T>(v: T[], one: T): T[] => (n === 2 ? v : [one, v[0]]);
    const pads = two(g.pads.map((p, i) => [p[0], p[1] + extra[i]] as [number, number]), [0, 0] as [number, number]);
    const k = two(g.kernel, 1);
    const s = two(g.strides, 1);
    const d = two(g.dilations, 1);
    const padAll = [[0, 0], pads[0], pads[1], [0, 0]] as [number, number][];
    const hasPad = pads.some(([a, b]) => a || b);
    let y: tf.Tensor4D;
    const wantIndices = kind === 'max' && ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '';
    if (wantIndices) {
      const [values, indices] = maxPoolWithIndices(x, padAll, k, s, d, ctx.int('storage_order', 0) === 1);
      const back = (t: tf.Tensor) => (n === 1 ? tf.reshape(t, [t.shape[0], t.shape[2], t.shape[3]] as number[]) : t);
      const yv = intInput ? tf.cast(values, xv!.t.dtype) : values;
      return [{ t: back(yv), perm }, { t: back(indices), perm }];
    }
    if (kind === 'max') {
      const xp = hasPad ? tf.pad(x, padAll, -3.4e38) : x;
      y = pool2d(xp, k, s, d, 'max');
    } else {
      const xp = hasPad ? tf.pad(x, padAll) : x;
      y = pool2d(xp, k, s, d, 'avg');
      const includePad = ctx.int('count_include_pad', 0) === 1;
      if (hasPad) y = tf.div(y, countMask(xs, n, g.pads, extra, includePad, k, s, d));
    }
    if (n === 1) y = tf.reshape(y, [y.shape[0], y.shape[2], y.shape[3]]) as unknown as tf.Tensor4D;
    return [{ t: intInput ? tf.cast(y, xv!.t.dtype) : y, perm }];
  };
}

/** Fraction of each window that counts: pooled mask of ones (counted) and zeros (not counted). */
function countMask(xs: number[], n: number, pads: [number, number][], extra: number[], includePad: boolean, k: number[], s: number[], d: number[]): tf.Tensor {
  const spatial = n === 2 ? xs.slice(2) : [1, xs[2]];
  const p = n === 2 ? pads : [[0, 0] as [number, number], pads[0]];
  const e = n === 2 ? extra : [0, extra[0]];
  let m: tf.Tensor4D = tf.ones([1, spatial[0], spatial[1], 1]);
  m = tf.pad(m, [[0, 0], p[0], p[1], [0, 0]], includePad ? 1 : 0);
  m = tf.pad(m, [[0, 0], [0, e[0]], [0, e[1]], [0, 0]], 0);
  return pool2d(m, k, s, d, 'avg');
}

function pool2d(x: tf.Tensor4D, k: number[], s: number[], d: number[], kind: 'max' | 'avg'): tf.Tensor4D {
  const kk = k as [number, number];
  const ss = s as [number, number];
  if (d.every((v) => v === 1)) return kind === 'max' ? tf.maxPool(x, kk, ss, 'valid') : tf.avgPool(x, kk, ss, 'valid');
  // Dilated windows: combine strided slices, one per kernel offset.
  const [nb, h, w, c] = x.shape;
  const oh = Math.floor((h - (k[0] - 1) * d[0] - 1) / s[0]) + 1;
  const ow = Math.floor((w - (k[1] - 1) * d[1] - 1) / s[1]) + 1;
  let acc: tf.Tensor4D | undefined;
  for (let i = 0; i < k[0]; i++)
    for (let j = 0; j < k[1]; j++) {
      const begin = [0, i * d[0], j * d[1], 0];
      const end = [nb, i * d[0] + (oh - 1) * s[0] + 1, j * d[1] + (ow - 1) * s[1] + 1, c];
      const part = tf.stridedSlice(x, begin, end, [1, s[0], s[1], 1]) as tf.Tensor4D;
      acc = (acc === undefined ? part : kind === 'max' ? tf.maximum(acc, part) : tf.add(acc, part)) as tf.Tensor4D;
    }
  return kind === 'max' ? acc! : tf.div(acc!, k[0] * k[1]);
}

registerOp({ opType: 'MaxPool', layout: 'custom', runValues: runPool('max') });
registerOp({ opType: 'AveragePool', layout: 'custom', runValues: runPool('avg') });

/** GlobalAveragePool / GlobalMaxPool: reduce the spatial axes, keeping them as size 1. */
function runGlobal(kind: 'max' | 'avg') {
  return ([xv]: (Value | undefined)[]): Value => {
    const rank = onnxShape(xv!).length;
    const perm = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
    const x = withPerm(xv!, perm);
    const axes = Array.from({ length: rank - 2 }, (_, i) => i + 1);
    return { t: kind === 'max' ? tf.max(x, axes, true) : tf.mean(x, axes, true), perm };
  };
}

registerOp({ opType: 'GlobalAveragePool', layout: 'custom', runValues: runGlobal('avg') });
registerOp({ opType: 'GlobalMaxPool', layout: 'custom', runValues: runGlobal('max') });
