/**
 * A piece of an ONNX model as a model of its own (bytes in, bytes out): the nodes that compute `outputs`
 * from `inputs`, with the initializers they read. The latency check times one block of the QDQ export
 * against the same block of the FP32 export this way: the two pieces differ by that block only, so their
 * ratio is far from 1 when the block matters, where timing whole models moves the total by a few per cent.
 */
import { encodeModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../graph/onnx-proto/index.js';
import { decodeModel } from './extra-outputs.js';
import { RuntimeError } from './errors.js';

const FLOAT = 1;

export interface SubgraphInput {
  name: string;
  /** Shape of the tensor fed (lets ORT optimize as with known shapes); a null dimension is symbolic (e.g. a batch fed at several sizes). */
  shape?: readonly (number | null)[];
}

/**
 * The nodes between `inputs` (cut tensors, fed as float graph inputs) and `outputs`. Every tensor the
 * nodes read must come from `inputs`, an initializer or another kept node: a piece that also needs a
 * model input not listed is refused (the inputs are not a cut).
 *
 * `throughQdq`: an output that the model quantizes (output → QuantizeLinear → DequantizeLinear) is taken
 * after that pair, so ORT fuses the piece's last op with its output quantizer as it does in the whole model;
 * an input that is the output of such a pair (the QDQ export keeps a quantized tensor's name on the
 * DequantizeLinear output) is fed before the pair, so the piece quantizes its input itself.
 */
export function extractSubgraph(bytes: Uint8Array, inputs: readonly SubgraphInput[], outputs: readonly string[], opts: { throughQdq?: boolean; where?: string } = {}): Uint8Array {
  const where = opts.where ?? 'subgraph';
  if (outputs.length === 0) throw new RuntimeError(`${where}: no outputs to extract`);
  const model = decodeModel(bytes, where);
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const producers = () => {
    const m = new Map<string, number>();
    nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && m.set(o, i)));
    return m;
  };
  let producer = producers();
  const initializers = new Map<string, TensorProto>((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const modelInputs = new Set((graph.input ?? []).map((i) => i.name));
  const fed = new Set(inputs.map((i) => i.name));
  if (opts.throughQdq) for (const i of inputs) feedBeforeQdq(nodes, i.name);
  for (const i of inputs) if (!producer.has(i.name) && !modelInputs.has(i.name)) throw new RuntimeError(`${where}: input '${i.name}' is not a tensor of the model`);
  producer = producers(); // feedBeforeQdq renamed tensors
  const outs = outputs.map((o) => (opts.throughQdq ? afterQdq(nodes, o) : o));
  const keep = new Set<number>();
  const used = new Set<string>();
  const stack = [...outs];
  while (stack.length) {
    const t = stack.pop()!;
    if (!t || used.has(t)) continue;
    used.add(t);
    if (fed.has(t) || initializers.has(t)) continue;
    const p = producer.get(t);
    if (p === undefined) {
      const why = modelInputs.has(t) ? 'a model input not among the inputs given (they do not cut the model)' : 'produced by no node';
      throw new RuntimeError(`${where}: '${t}' is ${why}`);
    }
    if (keep.has(p)) continue;
    keep.add(p);
    stack.push(...(nodes[p].input ?? []));
  }
  const infos = new Map<string, ValueInfoProto>((graph.value_info ?? []).map((v) => [v.name ?? '', v]));
  graph.node = nodes.filter((_, i) => keep.has(i)); // original (topological) order
  graph.initializer = (graph.initializer ?? []).filter((t) => used.has(t.name ?? ''));
  graph.input = inputs.map((i) => ({
    name: i.name,
    type: { tensor_type: { elem_type: FLOAT, ...(i.shape ? { shape: { dim: i.shape.map((d, k) => (d === null ? { dim_param: `${i.name}_dim${k}` } : { dim_value: d })) } } : {}) } },
  }));
  graph.output = outs.map((o) => infos.get(o) ?? { name: o });
  graph.value_info = (graph.value_info ?? []).filter((v) => used.has(v.name ?? '') && !fed.has(v.name ?? ''));
  return encodeModelProto(model);
}

/**
 * When `t` is written by `x → QuantizeLinear → DequantizeLinear → t`, renames so that the float tensor fed
 * as `t` enters the QuantizeLinear and the pair's output (under a new name) goes where `t` went.
 */
function feedBeforeQdq(nodes: NodeProto[], t: string): void {
  const producerOf = (x: string) => nodes.find((n) => n.output?.includes(x));
  const dq = producerOf(t);
  if (dq?.op_type !== 'DequantizeLinear' || (dq.domain ?? '') !== '') return;
  const q = dq.input?.[0] ? producerOf(dq.input[0]) : undefined;
  if (q?.op_type !== 'QuantizeLinear' || (q.domain ?? '') !== '') return;
  const renamed = `${t}__piece_dq`;
  for (const n of nodes) if (n !== q) n.input = (n.input ?? []).map((x) => (x === t ? renamed : x));
  dq.output = [renamed];
  q.input = [t, ...(q.input ?? []).slice(1)];
}

/** `t`, or the DequantizeLinear output of a `t → QuantizeLinear → DequantizeLinear` pair that reads it. */
function afterQdq(nodes: readonly NodeProto[], t: string): string {
  const consumer = (x: string, op: string) => nodes.find((n) => n.op_type === op && (n.domain ?? '') === '' && n.input?.[0] === x);
  const q = consumer(t, 'QuantizeLinear');
  const dq = q?.output?.[0] ? consumer(q.output[0], 'DequantizeLinear') : undefined;
  return dq?.output?.[0] ?? t;
}
