import type { ModelProto, NodeProto, StringStringEntryProto } from './messages.js';

/**
 * What the ONNX frontend stores in `Graph.modelInfo` (and the exporter reads back). Editable fields sit at
 * the top; `onnx` holds the original protos that make an unchanged re-export byte-identical.
 */
export interface OnnxModelInfo {
  format: 'onnx';
  irVersion: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Model-level metadata_props; edit freely, the exporter writes what is here. */
  metadataProps: StringStringEntryProto[];
  onnx?: OnnxOriginal;
}

export interface OnnxOriginal {
  /** The decoded model as read (its graph keeps the original node/initializer order). */
  model: ModelProto;
  /** Constant nodes folded into initializers, by output tensor name (paddle2onnx-style weights). */
  constantNodes: Map<string, NodeProto>;
  /** Directory that external-data locations are relative to. */
  modelDir?: string;
}

export function onnxModelInfo(modelInfo: Record<string, unknown>): Partial<OnnxModelInfo> {
  return modelInfo as Partial<OnnxModelInfo>;
}
