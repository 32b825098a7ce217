import * as tf from '@tensorflow/tfjs-core';
import { normAxis, readInts, type OpContext } from '../context.js';
import { registerOp } from '../registry.js';
import { sliceCollapsed } from '../slice-util.js';
import { canonical, onnxShape, storedAxis, type Value } from '../value.js';

/**
 * Slice (starts/ends/axes as attributes before opset 10, inputs after; steps from 10). Works in the
 * input's stored layout, so slicing channels of a channels-last tensor needs no transpose.
 * Ends like INT64_MAX arrive clamped to int32 and are clamped again to the dim.
 */
function runSlice([xv, startsT, endsT, axesT, stepsT]: (Value | undefined)[], ctx: OpContext): Value {
  const shape = onnxShape(xv!);
  const get = (t: Value | undefined) => (t ? readInts(canonical(t)) : undefined);
  const starts = ctx.opset < 10 ? ctx.ints('starts')! : get(startsT)!;
  const ends = ctx.opset < 10 ? ctx.ints('ends')! : get(endsT)!;
  const axes = (ctx.opset < 10 ? ctx.ints('axes') : get(axesT)) ?? starts.map((_, i) => i);
  const steps = (ctx.opset < 10 ? undefined : get(stepsT)) ?? starts.map(() => 1);
  const rank = shape.length;
  const begin = new Array<number>(rank).fill(0);
  const end = xv!.t.shape.slice();
  const stride = new Array<number>(rank).fill(1);
  let reversed = false;
  axes.forEach((ax, i) => {
    const a = normAxis(ax, rank, ctx);
    const dim = shape[a];
    const step = steps[i];
    if (step === 0) throw ctx.error('slice step cannot be 0');
    let s = starts[i] < 0 ? starts[i] + dim : starts[i];
    let e = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (step > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
    } else {
      s = Math.min(Math.max(s, -1), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
      reversed = true;
    }
    const sa = storedAxis(xv!, a);
    begin[sa] = s;
    end[sa] = e;
    stride[sa] = step;
  });
  if (!reversed && stride.every((s) => s === 1)) {
    const size = end.map((e, i) => Math.max(0, e - begin[i]));
    return { t: sliceCollapsed(xv!.t, begin, size), perm: xv!.perm };
  }
  return { t: stridedGather(xv!.t, begin, end, stride), perm: xv!.perm };
}

/** General strided slice (negative steps included) as one gather per sliced axis. */
function stridedGather(x: tf.Tensor, begin: number[], end: number[], stride: number[]): tf.Tensor {
  let y = x;
  for (let a = 0; a < x.rank; a++) {
    if (begin[a] === 0 && end[a] === x.shape[a] && stride[a] === 1) continue;
    const idx: number[] = [];
    for (let i = begin[a]; stride[a] > 0 ? i < end[a] : i > end[a]; i += stride[a]) idx.push(i);
    y = idx.length === 0 ? tf.slice(y, y.shape.map(() => 0), y.shape.map((d, i) => (i === a ? 0 : d))) : tf.gather(y, tf.tensor1d(idx, 'int32'), a);
  }
  return y;
}

registerOp({ opType: 'Slice', layout: 'custom', runValues: runSlice });
