import type { ConstTensor, GraphNode, TensorInfo } from './types.js';

/** Thrown for structurally invalid graphs (cycles, two producers of one tensor, dangling inputs). */
export class GraphError extends Error {
  override name = 'GraphError';
}

/**
 * The model as one directed acyclic graph of nodes over named tensors.
 * Nodes are kept in topological order (`nodes`); constants live in `initializers`.
 * The graph is mutable by design: algorithms do not edit it (they emit commands), but frontends,
 * exporters and the physical pruning pass do, and call `reindex()` after structural changes.
 */
export class Graph {
  name: string;
  nodes: GraphNode[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Shape/dtype of every tensor known so far: graph inputs, node outputs and initializers. */
  tensors: Map<string, TensorInfo>;
  initializers: Map<string, ConstTensor>;
  /** Opset version per domain ('' = ai.onnx). */
  opsets: Map<string, number>;
  /** Model-level properties that exporters must carry over (ir version, producer, metadata, functions…). */
  modelInfo: Record<string, unknown>;

  private producerOf = new Map<string, GraphNode>();
  private consumersOf = new Map<string, GraphNode[]>();
  private nodeByName = new Map<string, GraphNode>();

  constructor(init: {
    name?: string;
    nodes: GraphNode[];
    inputs: TensorInfo[];
    outputs: TensorInfo[];
    initializers?: Iterable<ConstTensor>;
    tensors?: Iterable<TensorInfo>;
    opsets?: Map<string, number>;
    modelInfo?: Record<string, unknown>;
  }) {
    this.name = init.name ?? 'graph';
    this.nodes = init.nodes;
    this.inputs = init.inputs;
    this.outputs = init.outputs;
    this.initializers = new Map([...(init.initializers ?? [])].map((t) => [t.name, t]));
    this.tensors = new Map();
    for (const t of init.tensors ?? []) this.tensors.set(t.name, t);
    for (const t of init.inputs) this.tensors.set(t.name, t);
    for (const t of init.outputs) if (!this.tensors.has(t.name)) this.tensors.set(t.name, t);
    for (const c of this.initializers.values())
      if (!this.tensors.has(c.name)) this.tensors.set(c.name, { name: c.name, dtype: c.dtype, shape: [...c.dims] });
    this.opsets = init.opsets ?? new Map([['', 17]]);
    this.modelInfo = init.modelInfo ?? {};
    this.reindex();
  }

  /** Rebuilds producer/consumer indexes and re-sorts `nodes` topologically (stable for already-sorted input). */
  reindex(): void {
    this.producerOf.clear();
    this.consumersOf.clear();
    this.nodeByName.clear();
    for (const node of this.nodes) {
      if (this.nodeByName.has(node.name)) throw new GraphError(`two nodes are named "${node.name}"`);
      this.nodeByName.set(node.name, node);
      for (const out of node.outputs) {
        if (out === '') continue;
        const other = this.producerOf.get(out);
        if (other) throw new GraphError(`tensor "${out}" is produced by both "${other.name}" and "${node.name}"`);
        this.producerOf.set(out, node);
      }
    }
    for (const node of this.nodes)
      for (const inp of node.inputs) {
        if (inp === '') continue;
        const list = this.consumersOf.get(inp);
        if (list) {
          if (!list.includes(node)) list.push(node);
        } else this.consumersOf.set(inp, [node]);
      }
    this.nodes = this.topologicalOrder();
  }

  private topologicalOrder(): GraphNode[] {
    const available = new Set<string>([...this.inputs.map((t) => t.name), ...this.initializers.keys()]);
    const pending = new Map<GraphNode, number>();
    const ready: GraphNode[] = [];
    for (const node of this.nodes) {
      // A node waits only for inputs some other node produces; unknown inputs are reported by validate().
      const waits = new Set(node.inputs.filter((i) => i !== '' && !available.has(i) && this.producerOf.has(i)));
      pending.set(node, waits.size);
      if (waits.size === 0) ready.push(node);
    }
    const order: GraphNode[] = [];
    const done = new Set<GraphNode>();
    // Process in original order where possible so a sorted graph keeps its order.
    const index = new Map(this.nodes.map((n, i) => [n, i]));
    while (ready.length > 0) {
      ready.sort((a, b) => index.get(a)! - index.get(b)!);
      const node = ready.shift()!;
      order.push(node);
      done.add(node);
      for (const out of new Set(node.outputs))
        for (const c of this.consumersOf.get(out) ?? []) {
          if (done.has(c) || !pending.has(c)) continue;
          const left = pending.get(c)! - 1;
          pending.set(c, left);
          if (left === 0) ready.push(c);
        }
    }
    if (order.length !== this.nodes.length) {
      const stuck = this.nodes.filter((n) => !done.has(n)).map((n) => n.name);
      throw new GraphError(`the graph has a cycle through node(s): ${stuck.slice(0, 5).join(', ')}`);
    }
    return order;
  }

  /** Throws GraphError when a node reads a tensor that nothing provides. */
  validate(): void {
    for (const node of this.nodes)
      for (const inp of node.inputs) {
        if (inp === '' || this.producerOf.has(inp) || this.initializers.has(inp)) continue;
        if (this.inputs.some((t) => t.name === inp)) continue;
        throw new GraphError(`node "${node.name}" (${node.opType}) reads tensor "${inp}" that no node, input or initializer provides`);
      }
    for (const out of this.outputs)
      if (!this.producerOf.has(out.name) && !this.initializers.has(out.name) && !this.inputs.some((t) => t.name === out.name))
        throw new GraphError(`graph output "${out.name}" is not produced by any node`);
  }

  node(name: string): GraphNode | undefined {
    return this.nodeByName.get(name);
  }

  producer(tensor: string): GraphNode | undefined {
    return this.producerOf.get(tensor);
  }

  consumers(tensor: string): readonly GraphNode[] {
    return this.consumersOf.get(tensor) ?? [];
  }

  isConstant(tensor: string): boolean {
    return this.initializers.has(tensor);
  }

  tensor(name: string): TensorInfo | undefined {
    return this.tensors.get(name);
  }
}
