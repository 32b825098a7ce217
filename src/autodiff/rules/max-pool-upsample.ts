/**
 * MaxPool backward for non-overlapping windows (kernel = stride, no pads or dilation), the formulation
 * engine-notes measured fastest: upsample y and dy by nearest Resize, keep dy where x equals its
 * window's max. Tied maxima each receive the gradient (PyTorch picks one); in practice ties are the
 * zeros of a preceding ReLU, whose own gradient is zero there, so the result is the same.
 */
import type { GraphNode } from '../../graph/types.js';
import { intAttr, intsAttr } from '../attrs.js';
import type { GraphEmitter } from '../emitter.js';
import type { ForwardContext } from '../rule.js';

export function upsampleApplies(node: GraphNode, shape: ForwardContext['shape']): boolean {
  const k = intsAttr(node, 'kernel_shape') ?? [];
  const s = intsAttr(node, 'strides') ?? k.map(() => 1);
  const pads = intsAttr(node, 'pads') ?? [];
  const dil = intsAttr(node, 'dilations') ?? [];
  const x = shape(node.inputs[0]);
  return (
    k.length === 2 &&
    x.length === 4 &&
    k.every((v, i) => v === s[i]) &&
    pads.every((p) => p === 0) &&
    dil.every((d) => d === 1) &&
    intAttr(node, 'ceil_mode', 0) === 0 &&
    intAttr(node, 'storage_order', 0) === 0 &&
    typeof x[2] === 'number' &&
    typeof x[3] === 'number' &&
    stringPad(node) === 'NOTSET'
  );
}

const stringPad = (node: GraphNode) => {
  const a = node.attributes.auto_pad;
  return a?.type === 'string' ? a.value : 'NOTSET';
};

export function maxPoolGradByUpsample(
  emit: GraphEmitter,
  node: GraphNode,
  dy: string,
  shape: ForwardContext['shape'],
): string {
  const [x, y] = [node.inputs[0], node.outputs[0]];
  const [kh, kw] = intsAttr(node, 'kernel_shape')!;
  const [h, w] = shape(x).slice(2) as number[];
  const [ch, cw] = [Math.floor(h / kh) * kh, Math.floor(w / kw) * kw];
  const base = node.name;
  const scales = emit.floats([1, 1, kh, kw], [4]);
  const up = (t: string) =>
    emit.op(
      'Resize',
      [t, '', scales],
      { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
      base,
    );
  // Rows/columns past the last full window never win: crop them, pad the gradient back with zeros.
  const cropped = ch === h && cw === w ? x : emit.slice(x, [0, 0], [ch, cw], [2, 3], undefined, base);
  const mask = emit.op('Cast', [emit.op('Equal', [cropped, up(y)], {}, base)], { to: 1 }, base);
  const dx = emit.op('Mul', [up(dy), mask], {}, base);
  return cropped === x ? dx : emit.op('Pad', [dx, emit.ints([0, 0, 0, 0, 0, 0, h - ch, w - cw])], {}, base);
}
