/** Quantizers written into a Graph for ONNX export: QuantizeLinear/DequantizeLinear or OpenVINO FakeQuantize. */
import type { Graph } from '../../../graph/graph.js';
import { materializeConstantAliases, removePassThroughNodes } from '../../../graph/transforms/index.js';
import { onnxModelInfo } from '../../../graph/onnx-proto/index.js';
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
  /**
   * NNCF `export_to_onnx_standard_ops` as resolved by the config (absent there means true): true → QDQ
   * (2–16-bit), false → FakeQuantize. Unset here means FakeQuantize: callers pass the resolved value.
   */
  standardOps?: boolean;
}

/**
 * Edits `graph` (a copy made for export) in place according to `export_to_onnx_standard_ops`.
 * For QDQ (onnxruntime) the graph is cleaned first: parameters behind Identity become initializers and
 * Identity/Dropout on activations go, so BatchNormalization folds and ORT's QDQ fusions find their patterns.
 */
export function writeQuantizers(graph: Graph, specs: QuantizerExportSpec[], opts: QuantizedExportOptions = {}): (QdqExportSummary & OrtCleanupSummary) | FakeQuantizeExportSummary {
  if (!opts.standardOps) return writeFakeQuantizeNodes(graph, specs);
  const cleaned = cleanForOrt(graph, specs);
  return { ...writeQdqQuantizers(graph, specs, opts), ...cleaned };
}

export interface OrtCleanupSummary {
  /** Identity nodes over constants turned into initializers. */
  constantAliases: number;
  /** Identity / inference Dropout nodes removed from activations. */
  passThroughNodes: number;
}

/** The clean-up before a QDQ export; quantizer targets keep their names. */
export function cleanForOrt(graph: Graph, specs: readonly QuantizerExportSpec[]): OrtCleanupSummary {
  const constantAliases = materializeConstantAliases(graph).length;
  writeConstantNodesAsInitializers(graph);
  const keep = new Set(specs.map((s) => s.target.tensor));
  return { constantAliases, passThroughNodes: removePassThroughNodes(graph, keep).length };
}

/**
 * Constant nodes of the source model (folded into initializers by the frontend, re-created by the exporter
 * to keep a plain re-export byte-identical) are written as initializers: the same values for ORT, ~45
 * bytes less each (PyTorch's shape constants: 300 in ShuffleNetV2, 0.2 % of its INT8 file). The model
 * info is copied, not edited: the FP32 graph shares it.
 */
function writeConstantNodesAsInitializers(graph: Graph): void {
  const info = onnxModelInfo(graph.modelInfo);
  if (!info.onnx?.constantNodes.size) return;
  graph.modelInfo = { ...graph.modelInfo, onnx: { ...info.onnx, constantNodes: new Map() } };
}
