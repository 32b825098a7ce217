import type { Graph } from '../../graph/graph.js';
import {
  has, int64ToNumber, type ModelProto, type OnnxModelInfo, type OperatorSetIdProto,
} from '../../graph/onnx-proto/index.js';
import { buildGraphProto, type GraphProtoOptions } from './graph-proto.js';

/** IR version a model needs for its default-domain opset (ONNX's published pairing). */
export function irVersionForOpset(opset: number): number {
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  if (opset >= 12) return 7;
  if (opset >= 10) return 6;
  if (opset >= 9) return 4;
  return 3;
}

function opsetImports(graph: Graph, orig: OperatorSetIdProto[] | undefined): OperatorSetIdProto[] {
  const same = orig && orig.length === graph.opsets.size &&
    orig.every((o) => graph.opsets.get(o.domain ?? '') === int64ToNumber(o.version));
  if (same) return orig;
  return [...graph.opsets.entries()].map(([domain, version]) => (domain ? { domain, version } : { domain: '', version }));
}

const sameProps = (a: { key?: string; value?: string }[], b: { key?: string; value?: string }[] | undefined) =>
  a.length === (b?.length ?? 0) && a.every((p, i) => p.key === b![i].key && p.value === b![i].value);

/** Graph → ModelProto, reusing everything of the original model that the graph did not change. */
export function buildModelProto(graph: Graph, opts: GraphProtoOptions = {}): ModelProto {
  const info = graph.modelInfo as Partial<OnnxModelInfo>;
  const original = info.onnx;
  const om = original?.model;
  const m: ModelProto = {};
  const opset = graph.opsets.get('') ?? graph.opsets.get('ai.onnx') ?? 17;
  m.ir_version = info.irVersion ?? (om && has(om, 'ir_version') ? om.ir_version : irVersionForOpset(opset));
  if (info.producerName !== undefined) m.producer_name = info.producerName;
  else if (!om) m.producer_name = 'nncf-ts';
  if (info.producerVersion !== undefined) m.producer_version = info.producerVersion;
  if (om && has(om, 'domain')) m.domain = om.domain;
  if (om && has(om, 'model_version')) m.model_version = om.model_version;
  if (info.docString !== undefined) m.doc_string = info.docString;
  m.graph = buildGraphProto(graph, original, opts);
  m.opset_import = opsetImports(graph, om?.opset_import);
  const props = info.metadataProps ?? [];
  if (om && sameProps(props, om.metadata_props)) {
    if (om.metadata_props?.length) m.metadata_props = om.metadata_props;
  } else if (props.length) m.metadata_props = props.map((p) => ({ key: p.key, value: p.value }));
  if (om?.training_info?.length) m.training_info = om.training_info;
  if (om?.functions?.length) m.functions = om.functions;
  if (om?.configuration?.length) m.configuration = om.configuration;
  if (om?.global_mutable_initializer_names?.length) m.global_mutable_initializer_names = om.global_mutable_initializer_names;
  return m;
}
