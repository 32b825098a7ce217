import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from '../context.js';
import { registerOp } from '../registry.js';
import { canonical, onnxShape, withPerm, type Value } from '../value.js';
import { conv2dGrouped } from './conv.js';
import { convTranspose3dOp } from './conv3d.js';

/**
 * ConvTranspose as a stride-1 conv: insert (stride-1) zeros between input pixels, pad by
 * (k-1)*d - pad (+ output_padding at the end), convolve with the flipped, regrouped kernel.
 * Supports groups, dilations, output_padding, output_shape and auto_pad, 1-D and 2-D.
 */
function runConvTranspose([xv, wv, bv]: (Value | undefined)[], ctx: OpContext): Value {
  const xs = onnxShape(xv!);
  const ws = onnxShape(wv!);
  const n = xs.length - 2;
  if (n < 1 || n > 3) throw ctx.error(`only 1-D, 2-D and 3-D transposed convolutions are supported`);
  const group = ctx.int('group', 1);
  const k = ws.slice(2);
  const s = ctx.ints('strides') ?? new Array<number>(n).fill(1);
  const d = ctx.ints('dilations') ?? new Array<number>(n).fill(1);
  const op = ctx.ints('output_padding') ?? new Array<number>(n).fill(0);
  const outShape = ctx.ints('output_shape')?.slice(-n);
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  const raw = ctx.ints('pads') ?? new Array<number>(2 * n).fill(0);
  const pads: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const full = (xs[i + 2] - 1) * s[i] + op[i] + (k[i] - 1) * d[i] + 1;
    let target: number | undefined = outShape?.[i];
    if (target === undefined && (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER')) target = xs[i + 2] * s[i];
    if (target === undefined) {
      pads.push(autoPad === 'VALID' ? [0, 0] : [raw[i], raw[i + n]]);
      continue;
    }
    // A negative total (output_shape larger than the natural size) extends the output at the end.
    const total = full - target;
    const half = Math.trunc(total / 2);
    // ONNX: SAME_LOWER puts the odd pixel at the head, SAME_UPPER and explicit output_shape at the tail.
    pads.push(autoPad === 'SAME_LOWER' ? [total - half, half] : [half, total - half]);
  }
  if (n === 3) return convTranspose3dOp([xv, wv, bv], ctx, pads, op);
  let x = withPerm(xv!, n === 2 ? [0, 2, 3, 1] : [0, 2, 1]);
  if (n === 1) x = tf.reshape(x, [xs[0], 1, xs[2], xs[1]]);
  const s2 = n === 2 ? s : [1, s[0]];
  const d2 = n === 2 ? d : [1, d[0]];
  const k2 = n === 2 ? k : [1, k[0]];
  const p2: [number, number][] = n === 2 ? pads : [[0, 0], pads[0]];
  const op2 = n === 2 ? op : [0, op[0]];
  x = dilateInput(x as tf.Tensor4D, s2);
  x = padOrCrop(x as tf.Tensor4D, [0, 1].map((i) => [(k2[i] - 1) * d2[i] - p2[i][0], (k2[i] - 1) * d2[i] - p2[i][1] + op2[i]]));
  const filter = transposedFilter(canonical(wv!), group, n);
  const geo = { kernel: k2, strides: [1, 1], dilations: d2, pads: [[0, 0], [0, 0]] as [number, number][] };
  let y = conv2dGrouped(x as tf.Tensor4D, filter, geo, group, bv && canonical(bv));
  if (n === 1) y = tf.reshape(y, [y.shape[0], y.shape[2], y.shape[3]]) as unknown as tf.Tensor4D;
  return { t: y, perm: n === 2 ? [0, 2, 3, 1] : [0, 2, 1] };
}

/** [N,H,W,C] → [N,(H-1)sh+1,(W-1)sw+1,C] with zeros between the pixels. */
function dilateInput(x: tf.Tensor4D, s: number[]): tf.Tensor {
  if (s.every((v) => v === 1)) return x;
  const [nb, h, w, c] = x.shape;
  const spread = tf.pad(tf.reshape(x, [nb, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, s[0] - 1], [0, 0], [0, s[1] - 1], [0, 0]]);
  return tf.slice(tf.reshape(spread, [nb, h * s[0], w * s[1], c]), [0, 0, 0, 0], [nb, (h - 1) * s[0] + 1, (w - 1) * s[1] + 1, c]);
}

function padOrCrop(x: tf.Tensor4D, p: number[][]): tf.Tensor {
  const pos = p.map(([a, b]) => [Math.max(a, 0), Math.max(b, 0)] as [number, number]);
  let y: tf.Tensor = pos.some(([a, b]) => a || b) ? tf.pad(x, [[0, 0], pos[0], pos[1], [0, 0]]) : x;
  const crop = p.map(([a, b]) => [Math.max(-a, 0), Math.max(-b, 0)]);
  if (crop.some(([a, b]) => a || b)) {
    const [nb, h, w, c] = y.shape;
    y = tf.slice(y, [0, crop[0][0], crop[1][0], 0], [nb, h - crop[0][0] - crop[0][1], w - crop[1][0] - crop[1][1], c]);
  }
  return y;
}

/** ONNX [Cin, Cout/g, kh, kw] → conv filter [kh, kw, Cin/g, Cout], spatially flipped. */
function transposedFilter(w: tf.Tensor, group: number, n: number): tf.Tensor4D {
  const ws = w.shape as number[];
  const [cin, cog] = ws;
  const kh = n === 2 ? ws[2] : 1;
  const kw = n === 2 ? ws[3] : ws[2];
  const grouped = tf.reshape(w, [group, cin / group, cog, kh, kw]);
  const f = tf.reshape(tf.transpose(grouped, [3, 4, 1, 0, 2]), [kh, kw, cin / group, group * cog]);
  return tf.reverse(f, [0, 1]) as tf.Tensor4D;
}

registerOp({ opType: 'ConvTranspose', layout: 'custom', runValues: runConvTranspose, weightPorts: () => [1, 2] });
