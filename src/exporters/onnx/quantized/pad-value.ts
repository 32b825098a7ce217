/**
 * A Conv padded with a non-zero value (NNCF's adjust_padding) written as ONNX: Pad(mode constant, value)
 * in front of the Conv, whose own pads become 0 — the form NNCF's export of NNCFConv2d with a padding
 * value takes.
 */
import type { Graph } from '../../../graph/graph.js';
import { GraphEditor, intsAttr } from './graph-edit.js';

export class PadValueExportError extends Error {
  override name = 'PadValueExportError';
}

export function writeConvPaddingValue(g: Graph, convName: string, value: number): void {
  const conv = g.node(convName);
  if (!conv || conv.opType !== 'Conv') throw new PadValueExportError(`no Conv "${convName}" to pad`);
  const pads = conv.attributes.pads?.value;
  if (!Array.isArray(pads) || pads.length !== 4) throw new PadValueExportError(`Conv "${convName}": expected 2D explicit pads`);
  const p = pads.map(Number);
  const ed = new GraphEditor(g);
  const x = conv.inputs[0];
  const padded = ed.fresh(`${x}/padded`);
  ed.describe(padded, 'float32', x);
  const full = [0, 0, p[0], p[1], 0, 0, p[2], p[3]];
  const opset = g.opsets.get('') ?? g.opsets.get('ai.onnx') ?? 1;
  if (opset >= 11) {
    const padsT = ed.constant(`${convName}/pad_pads`, 'int64', [8], BigInt64Array.from(full, (v) => BigInt(v)));
    const valueT = ed.constant(`${convName}/pad_value`, 'float32', [], Float32Array.of(value));
    ed.node('Pad', `${convName}/Pad`, [x, padsT, valueT], [padded], { mode: { type: 'string', value: 'constant' } });
  } else {
    ed.node('Pad', `${convName}/Pad`, [x], [padded], { mode: { type: 'string', value: 'constant' }, pads: intsAttr(full), value: { type: 'float', value } });
  }
  conv.inputs[0] = padded;
  conv.attributes = { ...conv.attributes, pads: intsAttr([0, 0, 0, 0]) };
  // the Pad must run before the Conv: move it there (nodes are kept in topological order)
  const pad = g.nodes.pop()!;
  g.nodes.splice(g.nodes.indexOf(conv), 0, pad);
  g.reindex();
}
