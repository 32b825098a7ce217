import * as tf from '@tensorflow/tfjs-core';
import { normAxis } from '../context.js';
import { defineOp } from '../registry.js';

/**
 * ScatterElements / Scatter / ScatterND (with reduction none, add, mul, max, min) and Compress.
 * Indices are data-dependent, so the write pattern is resolved on the host into a flat gather map:
 * out = where(written, combined updates, data), which keeps gradients flowing to data and updates.
 */
type Reduce = 'none' | 'add' | 'mul' | 'max' | 'min';

function stridesOf(shape: number[]): number[] {
  return shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
}

/** Applies updates at flat offsets with the ONNX reduction, later updates win for 'none'. */
function scatterFlat(data: tf.Tensor, offsets: number[], updates: tf.Tensor, reduction: Reduce): tf.Tensor {
  const n = data.size;
  const flatData = tf.reshape(data, [n]);
  const flatUpd = tf.reshape(updates, [updates.size]);
  if (reduction === 'none') {
    // Source index per output element: the last update that writes it, else the data element itself.
    const src = new Int32Array(n).fill(-1);
    offsets.forEach((o, i) => (src[o] = i));
    const written = tf.tensor(Array.from(src, (s) => (s >= 0 ? 1 : 0)), [n], 'bool');
    const picked = tf.gather(flatUpd, tf.tensor1d(Array.from(src, (s) => Math.max(s, 0)), 'int32'));
    return tf.reshape(tf.where(written, picked, flatData), data.shape);
  }
  let out = flatData;
  // Apply duplicates in order: group update positions by their round of occurrence.
  const seen = new Map<number, number>();
  const rounds: number[][] = [];
  offsets.forEach((o, i) => {
    const r = seen.get(o) ?? 0;
    seen.set(o, r + 1);
    (rounds[r] ??= []).push(i);
  });
  for (const round of rounds) {
    const src = new Int32Array(n).fill(-1);
    for (const i of round) src[offsets[i]] = i;
    const written = tf.tensor(Array.from(src, (s) => (s >= 0 ? 1 : 0)), [n], 'bool');
    const picked = tf.gather(flatUpd, tf.tensor1d(Array.from(src, (s) => Math.max(s, 0)), 'int32'));
    const combined = reduction === 'add' ? tf.add(out, picked) : reduction === 'mul' ? tf.mul(out, picked) : reduction === 'max' ? tf.maximum(out, picked) : tf.minimum(out, picked);
    out = tf.where(written, combined, out);
  }
  return tf.reshape(out, data.shape);
}

function scatterElements(data: tf.Tensor, idx: tf.Tensor, updates: tf.Tensor, axis: number, reduction: Reduce): tf.Tensor {
  const ind = Array.from(idx.dataSync() as ArrayLike<number>, Number);
  const ds = stridesOf(data.shape);
  const is = stridesOf(idx.shape);
  const offsets = ind.map((v, flat) => {
    let off = 0;
    for (let k = 0; k < idx.rank; k++) {
      const coord = Math.floor(flat / is[k]) % idx.shape[k];
      const c = k === axis ? (v < 0 ? v + data.shape[axis] : v) : coord;
      off += c * ds[k];
    }
    return off;
  });
  return scatterFlat(data, offsets, updates, reduction);
}

const scatterElementsOp = ([data, idx, upd]: (tf.Tensor | undefined)[], ctx: Parameters<Parameters<typeof defineOp>[1]>[1]) =>
  scatterElements(data!, idx!, upd!, normAxis(ctx.int('axis', 0), data!.rank, ctx), ctx.string('reduction', 'none') as Reduce);

defineOp('ScatterElements', scatterElementsOp);
defineOp('Scatter', scatterElementsOp);

defineOp('ScatterND', ([data, idx, upd], ctx) => {
  const k = idx!.shape[idx!.rank - 1];
  const ind = Array.from(idx!.dataSync() as ArrayLike<number>, Number);
  const ds = stridesOf(data!.shape);
  const slice = ds[k - 1];
  const offsets: number[] = [];
  for (let r = 0; r < ind.length / k; r++) {
    let base = 0;
    for (let j = 0; j < k; j++) {
      const v = ind[r * k + j];
      base += (v < 0 ? v + data!.shape[j] : v) * ds[j];
    }
    for (let e = 0; e < slice; e++) offsets.push(base + e);
  }
  return scatterFlat(data!, offsets, upd!, ctx.string('reduction', 'none') as Reduce);
});

defineOp('Compress', ([x, cond], ctx) => {
  const keep = Array.from(cond!.dataSync() as ArrayLike<number>, Number);
  const axis = ctx.has('axis') ? normAxis(ctx.int('axis', 0), x!.rank, ctx) : undefined;
  const src = axis === undefined ? tf.reshape(x!, [x!.size]) : x!;
  const len = src.shape[axis ?? 0];
  const idx = keep.slice(0, len).flatMap((v, i) => (v ? [i] : []));
  return tf.gather(src, tf.tensor1d(idx, 'int32'), axis ?? 0);
});

/** BitShift on unsigned ints (held as int32): multiply / floor-divide by powers of two. */
defineOp('BitShift', ([x, y], ctx) => {
  const pow = tf.pow(tf.scalar(2, 'float32'), tf.cast(y!, 'float32'));
  const xf = tf.cast(x!, 'float32');
  const r = ctx.string('direction', 'LEFT') === 'LEFT' ? tf.mul(xf, pow) : tf.floor(tf.div(xf, pow));
  return tf.cast(r, 'int32');
}, { layout: 'elementwise' });
