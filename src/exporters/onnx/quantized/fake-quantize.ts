/**
 * `export_to_onnx_standard_ops: false` (NNCF's default; in nncf-ts only when written): every quantizer becomes
 *   FakeQuantize(x, input_low, input_high, output_low, output_high) {levels}  in domain org.openvinotoolkit
 * with output_low/high = input_low/high (the same initializers, as NNCF's torch export writes them),
 * ranges shaped [1] per tensor or all-ones but the channel axis per channel ([C,1,1,1] for Conv weights,
 * [1,C,1,1] for activations). Any bit width. Weights stay float; the FakeQuantize output replaces the
 * weight for all its consumers. OpenVINO and our engine (src/engine/ops/fake-quantize.ts) read this form;
 * onnxruntime has no kernel for it.
 */
import type { Graph } from '../../../graph/graph.js';
import { GraphEditor, intAttr } from './graph-edit.js';
import { insertClip, rangeShape } from './clip.js';
import { checkSpec, levelGrid, type QuantizerExportSpec } from './spec.js';

export const OPENVINO_DOMAIN = 'org.openvinotoolkit';

export interface FakeQuantizeExportSummary {
  nodes: number;
}

export function writeFakeQuantizeNodes(graph: Graph, specs: QuantizerExportSpec[]): FakeQuantizeExportSummary {
  const checked = specs.map((s) => ({ spec: s, ...checkSpec(graph, s), grid: levelGrid(s) }));
  const ed = new GraphEditor(graph);
  for (const { spec, rank, grid } of checked) {
    const shape = rangeShape(spec.inputLow.length, rank, spec.perChannelAxis, spec.id);
    const chain = (input: string, output: string) => {
      const lo = ed.constant(`${spec.id}/input_low`, 'float32', shape, Float32Array.from(spec.inputLow));
      const hi = ed.constant(`${spec.id}/input_high`, 'float32', shape, Float32Array.from(spec.inputHigh));
      const x = spec.clip ? insertClip(graph, ed, spec, input) : input;
      ed.node('FakeQuantize', `${spec.id}/FakeQuantize`, [x, lo, hi, lo, hi], [output], { levels: intAttr(grid.levels) }, OPENVINO_DOMAIN);
    };
    if (spec.target.kind === 'weight') {
      const w = spec.target.tensor;
      const out = ed.fresh(`${w}/fq`);
      ed.describe(out, 'float32', w);
      for (const n of graph.consumers(w)) n.inputs = n.inputs.map((i) => (i === w ? out : i));
      chain(w, out);
    } else ed.hook(spec.target, spec.id, chain);
    graph.reindex();
  }
  if (specs.length) graph.opsets.set(OPENVINO_DOMAIN, Math.max(1, graph.opsets.get(OPENVINO_DOMAIN) ?? 1));
  graph.validate();
  return { nodes: specs.length };
}
