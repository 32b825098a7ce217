import * as tf from '@tensorflow/tfjs-core';
import { normAxis, readFloats, readInts, type OpContext } from '../context.js';
import { registerOp } from '../registry.js';
import { canonical, onnxShape, storedAxis, type Value } from '../value.js';

/**
 * Pad: modes constant / reflect / edge / wrap; negative pads crop. pads and value are attributes before
 * opset 11, inputs after; axes input from 18. Runs in the input's stored layout (pads are permuted).
 */
function runPad([xv, padsT, valueT, axesT]: (Value | undefined)[], ctx: OpContext): Value {
  const shape = onnxShape(xv!);
  const rank = shape.length;
  const mode = ctx.string('mode', 'constant');
  const raw = ctx.opset < 11 ? (ctx.ints('pads') ?? ctx.ints('paddings') ?? []) : readInts(canonical(padsT!));
  const value = ctx.opset < 11 ? ctx.float('value', 0) : valueT ? (readFloats(canonical(valueT))[0] ?? 0) : 0;
  const axes = (axesT ? readInts(canonical(axesT)) : Array.from({ length: raw.length / 2 }, (_, i) => i)).map((a) => normAxis(a, rank, ctx));
  const pads: [number, number][] = xv!.t.shape.map(() => [0, 0]);
  axes.forEach((a, i) => (pads[storedAxis(xv!, a)] = [raw[i], raw[i + axes.length]]));
  let x = xv!.t;
  if (mode === 'constant') {
    const pos = pads.map(([b, e]) => [Math.max(b, 0), Math.max(e, 0)] as [number, number]);
    if (pos.some(([b, e]) => b || e)) x = tf.pad(x, pos, value);
    if (pads.some(([b, e]) => b < 0 || e < 0)) {
      const begin = pads.map(([b]) => Math.max(-b, 0));
      const size = x.shape.map((d, i) => d - begin[i] - Math.max(-pads[i][1], 0));
      x = tf.slice(x, begin, size);
    }
    return { t: x, perm: xv!.perm };
  }
  pads.forEach(([b, e], a) => {
    if (!b && !e) return;
    const dim = x.shape[a];
    const idx: number[] = [];
    for (let i = -b; i < dim + e; i++) idx.push(sourceIndex(i, dim, mode, ctx));
    x = tf.gather(x, tf.tensor1d(idx, 'int32'), a);
  });
  return { t: x, perm: xv!.perm };
}

function sourceIndex(i: number, dim: number, mode: string, ctx: OpContext): number {
  if (mode === 'edge') return Math.min(Math.max(i, 0), dim - 1);
  if (mode === 'wrap') return ((i % dim) + dim) % dim;
  if (mode === 'reflect') {
    if (dim === 1) return 0;
    const period = 2 * (dim - 1);
    const r = ((i % period) + period) % period;
    return r < dim ? r : period - r;
  }
  throw ctx.error(`unsupported pad mode "${mode}"`);
}

registerOp({ opType: 'Pad', layout: 'custom', runValues: runPad });
