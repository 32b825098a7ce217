import type { Graph } from '../graph.js';
import type { DType } from '../types.js';

/**
 * Which tensors are constants and which carry integers. Quantizers go only on float activations;
 * a weight may reach its op through a constant subgraph (Constant node, Transpose of an initializer,
 * DequantizeLinear…), so constness propagates through nodes whose inputs are all constant.
 */

const INTEGER_DTYPES: ReadonlySet<DType> = new Set([
  'int4', 'uint4', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string',
]);

/** Ops whose outputs are integer (or metadata) whatever their inputs. */
const INTEGER_PRODUCING_OPS: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'Equal', 'Less', 'LessOrEqual', 'Greater',
  'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'IsNaN', 'IsInf',
]);

const constCache = new WeakMap<Graph, Set<string>>();

/** Names of all tensors computable without any graph input (cached per Graph; call `forgetConstness` after edits). */
export function constantTensors(graph: Graph): ReadonlySet<string> {
  let set = constCache.get(graph);
  if (set) return set;
  set = new Set(graph.initializers.keys());
  for (const node of graph.nodes) {
    const ins = node.inputs.filter((i) => i !== '');
    // Constant/ConstantOfShape-like nodes without inputs are constant; RandomNormal etc. would be too,
    // which is fine for placement (no quantizer on them).
    if (ins.every((i) => set!.has(i))) for (const o of node.outputs) if (o !== '') set.add(o);
  }
  constCache.set(graph, set);
  return set;
}

export function forgetConstness(graph: Graph): void {
  constCache.delete(graph);
  intCache.delete(graph);
}

export function isConstantTensor(graph: Graph, tensor: string): boolean {
  return constantTensors(graph).has(tensor);
}

const intCache = new WeakMap<Graph, Set<string>>();

/**
 * Tensors that hold integers (indices, shapes, masks). Known dtypes decide; unknown dtypes are
 * integer when produced by an integer-producing op or by an op whose data inputs are all integer.
 */
export function integerTensors(graph: Graph): ReadonlySet<string> {
  let set = intCache.get(graph);
  if (set) return set;
  set = new Set<string>();
  const isInt = (t: string): boolean => {
    const info = graph.tensor(t);
    if (info && info.dtype !== 'undefined') return INTEGER_DTYPES.has(info.dtype);
    return set!.has(t);
  };
  for (const t of graph.tensors.keys()) if (isInt(t)) set.add(t);
  for (const node of graph.nodes) {
    const ins = node.inputs.filter((i) => i !== '');
    // ONNX fixes these ops' output types (int64/bool), whatever a frontend recorded.
    if (INTEGER_PRODUCING_OPS.has(node.opType)) {
      for (const o of node.outputs) if (o !== '') set.add(o);
      continue;
    }
    const intOut =
      (node.opType === 'Cast' && castsToInteger(node.attributes.to?.value)) ||
      (ins.length > 0 && node.opType !== 'Cast' && node.opType !== 'Gather' && ins.every(isInt));
    for (const o of node.outputs) {
      if (o === '') continue;
      const info = graph.tensor(o);
      if (info && info.dtype !== 'undefined') {
        if (INTEGER_DTYPES.has(info.dtype)) set.add(o);
      } else if (intOut) set.add(o);
    }
  }
  intCache.set(graph, set);
  return set;
}

/** ONNX TensorProto.DataType codes of integer/bool types. */
function castsToInteger(to: unknown): boolean {
  const code = typeof to === 'bigint' ? Number(to) : to;
  return typeof code === 'number' && [2, 3, 4, 5, 6, 7, 9, 12, 13, 21, 22].includes(code);
}

/** Non-constant, non-integer inputs of a node, as [port, tensor] pairs: the places activation quantizers may go. */
export function activationInputs(graph: Graph, node: { inputs: string[] }): [number, string][] {
  const consts = constantTensors(graph);
  const ints = integerTensors(graph);
  const out: [number, string][] = [];
  node.inputs.forEach((t, port) => {
    if (t !== '' && !consts.has(t) && !ints.has(t)) out.push([port, t]);
  });
  return out;
}
