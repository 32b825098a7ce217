/**
 * MaxPool backward for non-overlapping windows (kernel = stride, no pads or dilation): x is regrouped
 * into its windows [N, C, H/kh, W/kw, kh·kw] (Reshape + Transpose, no gather), compared with y, and
 * dy goes to the FIRST maximum of each window (row-major), as PyTorch, tfjs and ORT's MaxPool indices
 * do: a CumSum of the equality mask keeps the position where it first reaches 1. Ties are common on
 * real images (a constant background gives equal positive activations), so giving every tied maximum
 * the gradient, as the nearest-Resize formulation did, was 5–35 % off on the Fashion CNN's early layers.
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
  const [oh, ow] = [Math.floor(h / kh), Math.floor(w / kw)];
  const [ch, cw] = [oh * kh, ow * kw];
  const base = node.name;
  // Rows/columns past the last full window never win: crop them, pad the gradient back with zeros.
  const cropped = ch === h && cw === w ? x : emit.slice(x, [0, 0], [ch, cw], [2, 3], undefined, base);
  // [N, C, oh·kh, ow·kw] → [N, C, oh, ow, kh·kw] (0 in a Reshape copies N and C)
  const windows = emit.reshape(
    emit.transpose(emit.reshape(cropped, [0, 0, oh, kh, ow, kw], base), [0, 1, 2, 4, 3, 5], base),
    [0, 0, oh, ow, kh * kw],
    base,
  );
  const hit = emit.op('Cast', [emit.op('Equal', [windows, emit.unsqueeze(y, [4], base)], {}, base)], { to: 1 }, base);
  const seen = emit.op('CumSum', [hit, emit.ints([4])], {}, base);
  const first = emit.op('Mul', [hit, emit.op('Cast', [emit.op('Equal', [seen, emit.floats([1], [])], {}, base)], { to: 1 }, base)], {}, base);
  const dWindows = emit.op('Mul', [first, emit.unsqueeze(dy, [4], base)], {}, base);
  const dx = emit.reshape(
    emit.transpose(emit.reshape(dWindows, [0, 0, oh, ow, kh, kw], base), [0, 1, 2, 4, 3, 5], base),
    [0, 0, ch, cw],
    base,
  );
  return cropped === x ? dx : emit.op('Pad', [dx, emit.ints([0, 0, 0, 0, 0, 0, h - ch, w - cw])], {}, base);
}
