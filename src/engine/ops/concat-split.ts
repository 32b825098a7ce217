import * as tf from '@tensorflow/tfjs-core';
import { normAxis, readInts, type OpContext } from '../context.js';
import { registerOp } from '../registry.js';
import { splitCollapsed } from '../slice-util.js';
import { canonical, isIdentityPerm, onnxShape, storedAxis, type Value } from '../value.js';

/** When every input shares one non-ONNX layout, work in it (Concat of channels-last branches stays channels-last). */
function commonPerm(vals: Value[]): number[] | null {
  const p = vals[0].perm;
  if (isIdentityPerm(p)) return null;
  return vals.every((v) => v.perm && v.perm.join() === p!.join()) ? p : null;
}

function runConcat(ins: (Value | undefined)[], ctx: OpContext): Value {
  const vals = ins.filter((v): v is Value => !!v);
  const rank = onnxShape(vals[0]).length;
  const axis = normAxis(ctx.int('axis', rank === 1 ? 0 : 1), rank, ctx);
  const perm = commonPerm(vals);
  const ts = perm ? vals.map((v) => v.t) : vals.map(canonical);
  const nonEmpty = ts.filter((t) => t.size > 0);
  const a = perm ? storedAxis(vals[0], axis) : axis;
  const dtype = ts[0].dtype;
  if (nonEmpty.length === 0) return { t: tf.concat(ts, a), perm };
  const same = nonEmpty.map((t) => (t.dtype === dtype ? t : tf.cast(t, dtype)));
  return { t: same.length === 1 ? same[0] : tf.concat(same, a), perm };
}

registerOp({ opType: 'Concat', layout: 'custom', runValues: runConcat });

/** Split: sizes from the `split` attribute (< 13), the second input (>= 13), or num_outputs / equal parts. */
function runSplit([xv, splitT]: (Value | undefined)[], ctx: OpContext): Value[] {
  const shape = onnxShape(xv!);
  const axis = normAxis(ctx.int('axis', 0), shape.length, ctx);
  const dim = shape[axis];
  const count = ctx.node.outputs.length;
  let sizes = ctx.opset < 13 ? ctx.ints('split') : splitT ? readInts(canonical(splitT)) : undefined;
  if (!sizes || sizes.length === 0) {
    const parts = ctx.int('num_outputs') ?? count;
    const chunk = Math.ceil(dim / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  const a = storedAxis(xv!, axis);
  const outs = splitCollapsed(xv!.t, sizes, a);
  return outs.map((t) => ({ t, perm: xv!.perm }));
}

registerOp({ opType: 'Split', layout: 'custom', runValues: runSplit });

