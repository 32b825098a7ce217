import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Graph, GraphError } from '../../graph/graph.js';
import type { ConstTensor, Dim, GraphNode, TensorInfo } from '../../graph/types.js';
import {
  decodeModelProto, decodeNode, decodeTensor, decodeValueInfo, has, int64ToNumber, rememberTensor,
  type ExternalDataReader, type ModelProto, type NodeProto, type OnnxModelInfo,
} from '../../graph/onnx-proto/index.js';
import { assertSupported, inferShapes, ModelLoadError, ShapeInferenceError } from '../../graph/shape-inference/index.js';
import { constantNodeTensor } from './constants.js';
import { externalDataReader } from './external-data.js';
import { densifySparse } from './sparse.js';

export interface ParseOptions {
  /** Directory external-data locations are relative to (set by loadOnnxModel from the file path). */
  modelDir?: string;
  /** Label used in error messages (the file name). */
  source?: string;
  /** Run shape inference (default true). */
  inferShapes?: boolean;
  /** When given, any node whose op type is not listed fails the load (see assertSupported). */
  supportedOps?: Iterable<string>;
  /** Override input shapes (e.g. fix a dynamic batch/height) before shape inference. */
  inputShapes?: Record<string, Dim[]>;
}

function decode(bytes: Uint8Array, where: string): ModelProto {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) throw new ModelLoadError(`${where} is empty — not an ONNX model`);
  let model: ModelProto;
  try {
    model = decodeModelProto(bytes);
  } catch (err) {
    throw new ModelLoadError(`${where} is not a valid ONNX model: the protobuf data is corrupt or truncated (${(err as Error).message})`, undefined, { cause: err });
  }
  // Random bytes sometimes parse as protobuf; a real model has an IR version, opsets (IR ≥ 3) and a graph.
  const ir = int64ToNumber(model.ir_version);
  if (!has(model, 'ir_version') || ir < 1 || ir > 64) throw new ModelLoadError(`${where} is not an ONNX model: missing or invalid ir_version (${ir})`);
  if (!has(model, 'graph')) throw new ModelLoadError(`${where} is not an ONNX model: it has no graph`);
  if (ir >= 3 && !(model.opset_import?.length)) throw new ModelLoadError(`${where} is not an ONNX model: IR ${ir} without opset_import`);
  return model;
}

/** Node names must be unique in the Graph: unnamed nodes get `<OpType>_<index>`, duplicates a suffix. */
function uniqueNames(nodes: NodeProto[]): string[] {
  const used = new Set<string>();
  return nodes.map((n, i) => {
    let name = n.name || `${n.op_type}_${i}`;
    for (let k = 1; used.has(name); k++) name = `${n.name || n.op_type}_${i}_${k}`;
    used.add(name);
    return name;
  });
}

/** Decoded ONNX bytes → Graph (weights decoded, Constant nodes folded into initializers, shapes inferred). */
export function parseOnnx(bytes: Uint8Array, opts: ParseOptions = {}): Graph {
  const where = opts.source ?? 'the model';
  const model = decode(bytes, where);
  const g = model.graph!;
  const noExternal: ExternalDataReader = (location) => {
    throw new ModelLoadError(`tensor data lives in external file "${location}"; load the model from its file path (loadOnnxModel) so the file can be found`);
  };
  const readExternal = opts.modelDir ? externalDataReader(opts.modelDir) : noExternal;
  const wrap = <T>(what: string, f: () => T, node?: string): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof ModelLoadError) throw err;
      throw new ModelLoadError(`${where}: ${what}: ${(err as Error).message}`, node, { cause: err });
    }
  };

  const initializers: ConstTensor[] = (g.initializer ?? []).map((t, i) => wrap(`initializer #${i} "${t.name}"`, () => decodeTensor(t, readExternal)));
  for (const s of g.sparse_initializer ?? []) initializers.push(wrap(`sparse initializer "${s.values?.name}"`, () => densifySparse(s, readExternal)));
  const names = uniqueNames(g.node ?? []);
  const nodes: GraphNode[] = [];
  const constantNodes = new Map<string, NodeProto>();
  (g.node ?? []).forEach((p, i) => {
    const node = wrap(`node "${names[i]}" (${p.op_type})`, () => decodeNode(p, names[i], readExternal), names[i]);
    const folded = (node.opType === 'Constant' && node.domain === '' && node.outputs.length === 1) ? constantNodeTensor(node) : null;
    if (folded) {
      rememberTensor(p, folded);
      initializers.push(folded);
      constantNodes.set(folded.name, p);
    } else nodes.push(node);
  });

  const initNames = new Set(initializers.map((t) => t.name));
  // Graph inputs that are initializers (IR < 4 style weights) are constants, not model inputs.
  const inputs: TensorInfo[] = (g.input ?? []).map(decodeValueInfo).filter((t) => !initNames.has(t.name));
  for (const [name, shape] of Object.entries(opts.inputShapes ?? {})) {
    const input = inputs.find((t) => t.name === name);
    if (!input) throw new ModelLoadError(`${where}: inputShapes names "${name}", which is not a model input (inputs: ${inputs.map((t) => t.name).join(', ')})`);
    input.shape = [...shape];
  }
  const outputs: TensorInfo[] = (g.output ?? []).map(decodeValueInfo);
  const tensors = (g.value_info ?? []).map(decodeValueInfo);
  const modelInfo: OnnxModelInfo = {
    format: 'onnx',
    irVersion: int64ToNumber(model.ir_version),
    metadataProps: [...(model.metadata_props ?? [])],
    onnx: { model, constantNodes, modelDir: opts.modelDir },
  };
  if (has(model, 'producer_name')) modelInfo.producerName = model.producer_name;
  if (has(model, 'producer_version')) modelInfo.producerVersion = model.producer_version;
  if (has(model, 'doc_string')) modelInfo.docString = model.doc_string;

  const opsets = new Map<string, number>((model.opset_import ?? []).map((o) => [o.domain ?? '', int64ToNumber(o.version)]));
  if (opsets.size === 0) opsets.set('', 1);
  const graph = wrap('graph structure', () => new Graph({
    name: g.name ?? 'graph', nodes, inputs, outputs, initializers, tensors, opsets,
    modelInfo: modelInfo as unknown as Record<string, unknown>,
  }));
  if (opts.supportedOps) assertSupported(graph, opts.supportedOps, where);
  try {
    graph.validate();
    if (opts.inferShapes !== false) inferShapes(graph);
  } catch (err) {
    if (err instanceof GraphError || err instanceof ShapeInferenceError)
      throw new ModelLoadError(`${where}: ${err.message}`, undefined, { cause: err });
    throw err;
  }
  return graph;
}

/** Loads an .onnx file (external data resolved next to it) or parses bytes. */
export async function loadOnnxModel(pathOrBytes: string | Uint8Array, opts: Omit<ParseOptions, 'source'> = {}): Promise<Graph> {
  if (typeof pathOrBytes !== 'string') return parseOnnx(pathOrBytes, opts);
  const path = resolve(pathOrBytes);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ModelLoadError(`cannot read model file "${pathOrBytes}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, undefined, { cause: err });
  }
  return parseOnnx(bytes, { ...opts, modelDir: opts.modelDir ?? dirname(path), source: `"${pathOrBytes}"` });
}
