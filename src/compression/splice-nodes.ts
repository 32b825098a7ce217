/**
 * Insertion commands → graph nodes: a copy of the Graph with each command's node form (node-form.ts)
 * spliced in at its point, ready for `compileTrainingGraph(spliced.graph, spliced.compileOptions)`.
 * Order follows the engine's hooks: weight hooks, then tensor hooks (right after the producer), then
 * per-consumer pre-hooks; commands on one point chain in command order (a mask before a quantizer).
 */
import { Graph } from '../graph/index.js';
import type { ConstTensor, GraphNode, TensorInfo } from '../graph/index.js';
import type { InsertionCommand, InsertionPoint } from './compressed-model.js';
import { COMPRESSION_DOMAIN, type CompressionNodeInput } from './node-form.js';
import { nodeInputValue } from './node-feeds.js';

export class SpliceError extends Error {
  override name = 'SpliceError';
}

export interface SplicedGraph {
  graph: Graph;
  /** Every node input by graph name, read again before each step (trainable ones get gradients). */
  feeds: Map<string, CompressionNodeInput>;
  /** Pass to compileTrainingGraph: trainable inputs become parameters, the others fed inputs. */
  compileOptions: { trainable: (name: string) => boolean | undefined; fed: (name: string) => boolean };
  /** The spliced node of each command (same order as the commands). */
  nodes: GraphNode[];
}

const rank = (p: InsertionPoint) => (p.kind === 'weight' ? 0 : p.consumers ? 2 : 1);
const describe = (p: InsertionPoint) =>
  `${p.kind} "${p.name}"${p.kind === 'tensor' && p.consumers ? ` (consumers ${p.consumers.join(', ')})` : ''}`;

export function spliceCompressionNodes(source: Graph, commands: readonly InsertionCommand[]): SplicedGraph {
  for (const c of commands)
    if (!c.node)
      throw new SpliceError(
        `the ${c.owner} command at ${describe(c.point)} has no graph-node form, so it cannot run in a training graph`,
      );
  const nodes = source.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] }));
  const tensors = new Map(source.tensors);
  const initializers = new Map(source.initializers);
  const feeds = new Map<string, CompressionNodeInput>();
  const taken = new Set([...tensors.keys(), ...initializers.keys(), ...nodes.flatMap((n) => [n.name, ...n.outputs])]);
  const fresh = (base: string) => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}.${k}`;
    taken.add(name);
    return name;
  };
  const producer = (t: string) => nodes.find((n) => n.outputs.includes(t));
  // The tensor of the source graph a spliced name stands for (a consumer may read it through a chain).
  const origin = new Map<string, string>();
  const originOf = (t: string) => origin.get(t) ?? t;
  const created: GraphNode[] = [];
  const lastOf = new Map<string, string>();
  const order = commands.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c.point) - rank(b.c.point) || a.i - b.i);

  for (const { c, i } of order) {
    const form = c.node!;
    const { point } = c;
    const info = tensors.get(point.name);
    if (point.kind === 'weight' ? !initializers.has(point.name) : !info)
      throw new SpliceError(`the ${c.owner} command's ${point.kind} "${point.name}" is not in the graph`);
    const inputNames = form.inputs.map((inp) => addInput(inp, c.owner));
    const graphInputNames = (form.graphInputs ?? []).map((t) => {
      if (!tensors.has(t)) throw new SpliceError(`the ${c.owner} command reads tensor "${t}", which is not in the graph`);
      return chainEnd(t);
    });
    const make = (input: string, output: string): GraphNode => {
      const node: GraphNode = {
        name: fresh(`${c.owner}/${form.opType}/${point.name}`),
        opType: form.opType,
        domain: COMPRESSION_DOMAIN,
        inputs: [input, ...graphInputNames, ...inputNames],
        outputs: [output],
        attributes: { ...(form.attributes ?? {}) },
        scope: `${c.owner}/${form.opType}/${point.name}`,
      };
      tensors.set(output, { ...(tensors.get(input) ?? info!), name: output });
      origin.set(output, originOf(input));
      nodes.push(node);
      (created[i] ??= node);
      return node;
    };
    if (point.kind === 'tensor' && point.consumers) {
      // Per-consumer: one node per distinct value the listed consumers read now.
      const groups = new Map<string, { node: GraphNode; port: number }[]>();
      for (const name of point.consumers) {
        const consumer = nodes.find((n) => n.name === name && n.domain !== COMPRESSION_DOMAIN);
        if (!consumer) throw new SpliceError(`the ${c.owner} command names consumer "${name}", which is not in the graph`);
        const ports = consumer.inputs.flatMap((t, port) => (t && originOf(t) === point.name ? [port] : []));
        if (!ports.length) throw new SpliceError(`the ${c.owner} command: node "${name}" does not read "${point.name}"`);
        for (const port of ports) {
          const list = groups.get(consumer.inputs[port]) ?? [];
          list.push({ node: consumer, port });
          groups.set(consumer.inputs[port], list);
        }
      }
      for (const [current, readers] of groups) {
        const out = fresh(`${point.name}/${form.opType}`);
        make(current, out);
        for (const r of readers) r.node.inputs[r.port] = out;
      }
      continue;
    }
    const current = chainEnd(point.name);
    const from = producer(current);
    if (from && !initializers.has(current) && !source.inputs.some((t) => t.name === current)) {
      // After the producer: it writes a fresh name and the node writes the old one, so every reader
      // (graph outputs, per-consumer nodes spliced later) sees the transformed value.
      const pre = fresh(`${point.name}/pre_${form.opType}`);
      from.outputs[from.outputs.indexOf(current)] = pre;
      tensors.set(pre, { ...(tensors.get(current) ?? info!), name: pre });
      origin.set(pre, originOf(current));
      make(pre, current);
    } else {
      const out = fresh(`${point.name}/${form.opType}`);
      const readers = nodes.filter((n) => n.inputs.includes(current));
      const node = make(current, out);
      for (const r of readers) if (r !== node) r.inputs = r.inputs.map((t) => (t === current ? out : t));
      lastOf.set(point.name, out);
    }
  }

  const graph = new Graph({
    name: source.name,
    nodes,
    inputs: source.inputs.map((t) => ({ ...t })),
    outputs: source.outputs.map((t) => ({ ...t })),
    initializers: initializers.values(),
    tensors: tensors.values(),
    opsets: new Map([...source.opsets, [COMPRESSION_DOMAIN, source.opsets.get(COMPRESSION_DOMAIN) ?? 1]]),
    modelInfo: source.modelInfo,
  });
  return {
    graph,
    feeds,
    nodes: created,
    compileOptions: {
      trainable: (name) => (feeds.has(name) ? feeds.get(name)!.trainable : undefined),
      fed: (name) => feeds.has(name) && !feeds.get(name)!.trainable,
    },
  };

  // The end of the chain already spliced on a weight or a producer-less tensor (the point's own name at first).
  function chainEnd(name: string): string {
    return lastOf.get(name) ?? name;
  }

  /** Adds a node input as a float initializer (its current value, ONNX layout); a shared input is added once. */
  function addInput(inp: CompressionNodeInput, owner: string): string {
    const have = feeds.get(inp.name);
    if (have) {
      if (have.value !== inp.value)
        throw new SpliceError(`two compression inputs are named "${inp.name}" but hold different tensors (${owner})`);
      return inp.name;
    }
    if (taken.has(inp.name))
      throw new SpliceError(`the ${owner} input "${inp.name}" clashes with a tensor or node of the graph`);
    taken.add(inp.name);
    const { dims, values } = nodeInputValue(inp);
    const t: ConstTensor = { name: inp.name, dtype: 'float32', dims, values };
    const ti: TensorInfo = { name: inp.name, dtype: 'float32', shape: [...dims] };
    initializers.set(inp.name, t);
    tensors.set(inp.name, ti);
    feeds.set(inp.name, inp);
    return inp.name;
  }
}
