/** Quantizers written into a Graph for ONNX export: QuantizeLinear/DequantizeLinear or OpenVINO FakeQuantize. */
import type { Graph } from '../../../graph/graph.js';
import { writeFakeQuantizeNodes, type FakeQuantizeExportSummary } from './fake-quantize.js';
import { writeQdqQuantizers, type QdqExportOptions, type QdqExportSummary } from './qdq.js';
import type { QuantizerExportSpec } from './spec.js';

export * from './spec.js';
export { qdqParams, quantizeValues, roundHalfEven, type QdqParams } from './params.js';
export { writeQdqQuantizers, type QdqExportOptions, type QdqExportSummary } from './qdq.js';
export { writeFakeQuantizeNodes, OPENVINO_DOMAIN, type FakeQuantizeExportSummary } from './fake-quantize.js';
export { raiseOpset } from './opset.js';
export { writeConvPaddingValue, PadValueExportError } from './pad-value.js';

export interface QuantizedExportOptions extends QdqExportOptions {
  /** NNCF `export_to_onnx_standard_ops`: true → QDQ (8-bit only), false/absent → FakeQuantize. */
  standardOps?: boolean;
}

/** Edits `graph` (a copy made for export) in place according to `export_to_onnx_standard_ops`. */
export function writeQuantizers(graph: Graph, specs: QuantizerExportSpec[], opts: QuantizedExportOptions = {}): QdqExportSummary | FakeQuantizeExportSummary {
  return opts.standardOps ? writeQdqQuantizers(graph, specs, opts) : writeFakeQuantizeNodes(graph, specs);
}
