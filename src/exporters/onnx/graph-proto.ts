import type { Graph } from '../../graph/graph.js';
import type { ConstTensor, TensorInfo } from '../../graph/types.js';
import {
  encodeNode, encodeTensor, encodeValueInfo, has, isTensorUnchanged,
  type GraphProto, type NodeProto, type OnnxOriginal, type SparseTensorProto, type TensorProto, type ValueInfoProto,
} from '../../graph/onnx-proto/index.js';
import { constantNodeFor } from './constant-nodes.js';
import { sparseProtoIfSmaller } from './sparse-initializers.js';
import { exportNodeOrder } from './node-order.js';

export interface GraphProtoOptions {
  /** Write value_info for every tensor whose shape is known (default: only entries the original had). */
  allValueInfo?: boolean;
  /** Called for each initializer proto; may replace it (used to move data to an external file). */
  placeTensor?: (proto: TensorProto, tensor: ConstTensor) => TensorProto;
  /** Write float weights as sparse_initializer where that is smaller (e.g. after sparsity). */
  sparseInitializers?: boolean;
}

/** Keeps the original list's order and protos for names still present, then appends new ones. */
function mergeByName<T, P>(current: T[], nameOf: (t: T) => string, original: P[] | undefined, origName: (p: P) => string,
  encode: (t: T, orig?: P) => P): P[] {
  const byName = new Map(current.map((t) => [nameOf(t), t]));
  const out: P[] = [];
  const done = new Set<string>();
  for (const p of original ?? []) {
    const name = origName(p);
    const t = byName.get(name);
    if (t === undefined || done.has(name)) continue;
    out.push(encode(t, p));
    done.add(name);
  }
  for (const t of current) if (!done.has(nameOf(t))) out.push(encode(t));
  return out;
}

export function buildGraphProto(graph: Graph, original: OnnxOriginal | undefined, opts: GraphProtoOptions = {}): GraphProto {
  const og = original?.model.graph;
  const constants = original?.constantNodes ?? new Map<string, NodeProto>();
  const place = opts.placeTensor ?? ((p: TensorProto) => p);
  const g: GraphProto = {};

  g.node = exportNodeOrder(graph, og?.node, constants).map((slot) =>
    slot.kind === 'node' ? encodeNode(slot.node) : constantNodeFor(graph.initializers.get(slot.tensor)!, slot.proto));
  // An unnamed original graph stays unnamed unless the name was changed.
  if (og && !has(og, 'name') ? graph.name !== (og.name ?? '') : graph.name !== '') g.name = graph.name;

  // Sparse initializers stay sparse while unchanged; an edited one is written dense.
  const keptSparse = (og?.sparse_initializer ?? []).filter((sp) => {
    const t = graph.initializers.get(sp.values?.name ?? '');
    return t !== undefined && t.raw === sp && isTensorUnchanged(t);
  });
  const newSparse: SparseTensorProto[] = [];
  if (opts.sparseInitializers)
    for (const t of graph.initializers.values()) {
      if (constants.has(t.name) || keptSparse.some((sp) => sp.values?.name === t.name)) continue;
      const sp = sparseProtoIfSmaller(t);
      if (sp) newSparse.push(sp);
    }
  const sparseNames = new Set([...keptSparse, ...newSparse].map((sp) => sp.values?.name ?? ''));
  const inits = [...graph.initializers.values()].filter((t) => !constants.has(t.name) && !sparseNames.has(t.name));
  g.initializer = mergeByName(inits, (t) => t.name, og?.initializer, (p) => p.name ?? '', (t) => place(encodeTensor(t), t));
  if (og && has(og, 'doc_string')) g.doc_string = og.doc_string;

  // Original inputs that are initializers (IR < 4 style) stay listed while the initializer exists.
  const inputInfos: TensorInfo[] = [...graph.inputs];
  for (const p of og?.input ?? [])
    if (graph.initializers.has(p.name ?? '') && !constants.has(p.name ?? '') && !sparseNames.has(p.name ?? '') && !inputInfos.some((t) => t.name === p.name))
      inputInfos.push({ name: p.name!, dtype: graph.initializers.get(p.name!)!.dtype, shape: [...graph.initializers.get(p.name!)!.dims] });
  const infoName = (v: ValueInfoProto) => v.name ?? '';
  g.input = mergeByName(inputInfos, (t) => t.name, og?.input, infoName, (t, p) => encodeValueInfo(t, p));
  g.output = mergeByName(graph.outputs, (t) => t.name, og?.output, infoName, (t, p) => encodeValueInfo(graph.tensor(t.name) ?? t, p));

  const graphIo = new Set([...g.input, ...g.output].map(infoName));
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const known = [...graph.tensors.values()].filter((t) => produced.has(t.name) && !graphIo.has(t.name));
  const wanted = opts.allValueInfo ? known.filter((t) => t.shape !== null) : known.filter((t) => og?.value_info?.some((v) => v.name === t.name));
  g.value_info = mergeByName(wanted, (t) => t.name, og?.value_info, infoName, (t, p) => encodeValueInfo(t, p));

  if (og?.quantization_annotation?.length) g.quantization_annotation = og.quantization_annotation;
  if (keptSparse.length || newSparse.length) g.sparse_initializer = [...keptSparse, ...newSparse];
  if (og?.metadata_props?.length) g.metadata_props = og.metadata_props;
  return g;
}
