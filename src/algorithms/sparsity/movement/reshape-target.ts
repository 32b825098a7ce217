/**
 * The target shape of an attention Reshape, entry by entry, also when PyTorch's exporter builds it at
 * run time: Hugging Face's `x.view(x.size()[:-1] + (heads, head_size))` with a dynamic batch/sequence
 * exports as Concat(Unsqueeze(Gather(Shape(x), 0)), Unsqueeze(Gather(Shape(x), 1)), [heads], [head_size]).
 * The head entries stay constants, so structured masking can read the head size and
 * `--remove-structured` can rewrite the head count without fixing the dynamic entries to one input shape
 * (which constant-folding the shapes would do). Entries computed at run time read as `undefined`.
 */
import type { Graph, GraphNode } from '../../../graph/index.js';

/** One entry: its value (undefined when computed at run time) and the constant it is stored in. */
interface Entry {
  value: number | undefined;
  /** The int initializer holding it and its position there; undefined for a run-time entry. */
  at?: { tensor: string; index: number; consumer: GraphNode; input: number };
}

function ints(graph: Graph, name: string): number[] | undefined {
  const c = graph.initializers.get(name);
  return c && (c.dtype === 'int64' || c.dtype === 'int32') && c.dims.length <= 1 ? Array.from(c.values as ArrayLike<number | bigint>, Number) : undefined;
}

/** True when `t` holds one int computed at run time (an Unsqueeze of a scalar, or a tensor of shape [1]). */
function oneRuntimeInt(graph: Graph, t: string): boolean {
  const shape = graph.tensors.get(t)?.shape;
  if (shape && shape.length === 1 && shape[0] === 1) return true;
  const p = graph.producer(t);
  if (!p || p.opType !== 'Unsqueeze') return false;
  const s = graph.tensors.get(p.inputs[0])?.shape;
  // Unsqueeze of a 0-d value (Gather of one index from a Shape) gives one entry
  if (s && s.length === 0) return true;
  const g = graph.producer(p.inputs[0]);
  return g?.opType === 'Gather' && graph.producer(g.inputs[0])?.opType === 'Shape' && ints(graph, g.inputs[1])?.length === 1 && graph.initializers.get(g.inputs[1])!.dims.length === 0;
}

function entries(graph: Graph, reshape: GraphNode): Entry[] | undefined {
  const t = reshape.inputs[1];
  const direct = ints(graph, t);
  if (direct) return direct.map((value, index) => ({ value, at: { tensor: t, index, consumer: reshape, input: 1 } }));
  const concat = graph.producer(t);
  if (!concat || concat.opType !== 'Concat') return undefined;
  const out: Entry[] = [];
  for (const [input, part] of concat.inputs.entries()) {
    const v = ints(graph, part);
    if (v) out.push(...v.map((value, index) => ({ value, at: { tensor: part, index, consumer: concat, input } })));
    else if (oneRuntimeInt(graph, part)) out.push({ value: undefined });
    else return undefined;
  }
  return out;
}

/** The Reshape's target shape with run-time entries as undefined; undefined when it cannot be read. */
export function reshapeTarget(graph: Graph, reshape: GraphNode): (number | undefined)[] | undefined {
  if (reshape.opType !== 'Reshape') return undefined;
  return entries(graph, reshape)?.map((e) => e.value);
}

/**
 * Sets entry `index` (negative: from the end) of the Reshape's target to `value`, in a new int64
 * initializer named after the old one + `tag` (the old one may be shared). False when the entry is
 * computed at run time or the shape cannot be read.
 */
export function setReshapeEntry(graph: Graph, reshape: GraphNode, index: number, value: number, tag: string): boolean {
  const all = entries(graph, reshape);
  const e = all?.[index < 0 ? all.length + index : index];
  if (!e?.at) return false;
  const old = graph.initializers.get(e.at.tensor)!;
  const values = Array.from(old.values as ArrayLike<number | bigint>, Number);
  values[e.at.index] = value;
  const name = `${e.at.tensor}__${tag}`;
  graph.initializers.set(name, { name, dtype: 'int64', dims: [...old.dims], values: BigInt64Array.from(values, BigInt) });
  graph.tensors.set(name, { name, dtype: 'int64', shape: [...old.dims] });
  e.at.consumer.inputs[e.at.input] = name;
  return true;
}
