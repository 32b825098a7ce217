/**
 * Exposes intermediate tensors as extra graph outputs of an ONNX model (bytes in, bytes out), so that
 * onnxruntime returns them from `run` — the fast way to collect statistics. Only the graph's output list
 * changes; ORT infers the types of outputs that carry no type. Names must be produced by a top-level node
 * or be graph inputs.
 */
import { decodeModelProto, encodeModelProto, type ModelProto, type ValueInfoProto } from '../graph/onnx-proto/index.js';
import { RuntimeError } from './errors.js';

export function decodeModel(bytes: Uint8Array, where: string): ModelProto {
  try {
    const model = decodeModelProto(bytes);
    if (!model.graph) throw new Error('no graph');
    return model;
  } catch (err) {
    throw new RuntimeError(`${where}: not a valid ONNX model (${(err as Error).message})`);
  }
}

/** True when an initializer of the model keeps its data in an external file. */
export function hasExternalData(model: ModelProto): boolean {
  return (model.graph?.initializer ?? []).some((t) => t.data_location === 1);
}

export function addOutputsToModel(model: ModelProto, names: string[], where = 'model'): ModelProto {
  const graph = model.graph!;
  const outputs = graph.output ?? (graph.output = []);
  const existing = new Set(outputs.map((o) => o.name));
  const produced = new Set<string>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) produced.add(o);
  for (const i of graph.input ?? []) if (i.name) produced.add(i.name);
  const infos = new Map<string, ValueInfoProto>();
  for (const v of graph.value_info ?? []) if (v.name) infos.set(v.name, v);
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  for (const name of names) {
    if (existing.has(name)) continue;
    if (!produced.has(name)) {
      const why = initializers.has(name) ? 'is an initializer (read constants from the model instead)' : 'is not produced by any node of the main graph';
      throw new RuntimeError(`${where}: cannot expose '${name}' as an output: it ${why}`);
    }
    const info = infos.get(name);
    outputs.push(info ? { name, type: info.type } : { name });
    existing.add(name);
  }
  return model;
}

/** The model bytes with `names` appended to the graph outputs. */
export function withExtraOutputs(bytes: Uint8Array, names: string[], where = 'model'): Uint8Array {
  if (names.length === 0) return bytes;
  return encodeModelProto(addOutputsToModel(decodeModel(bytes, where), names, where));
}
