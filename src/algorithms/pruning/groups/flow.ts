import { constantTensors, type Graph, type GraphNode } from '../../../graph/index.js';

/**
 * The data-flow view pruning works on (NNCF's NNCFGraph edges): nodes that read at least one
 * non-constant tensor, with their previous and next nodes over non-constant tensors; graph outputs
 * are the virtual consumer "" (an output takes pruned channels, but a mask must not reach it).
 */
export class Flow {
  readonly nodes: GraphNode[];
  readonly order = new Map<string, number>();
  private readonly consts: ReadonlySet<string>;

  constructor(readonly graph: Graph) {
    this.consts = constantTensors(graph);
    this.nodes = graph.nodes.filter((n) => n.inputs.some((t) => t !== '' && !this.consts.has(t)));
    this.nodes.forEach((n, i) => this.order.set(n.name, i));
  }

  isConst(tensor: string): boolean {
    return tensor === '' || this.consts.has(tensor);
  }

  prev(node: GraphNode): GraphNode[] {
    const out: GraphNode[] = [];
    for (const t of node.inputs) {
      if (this.isConst(t)) continue;
      const p = this.graph.producer(t);
      if (p && this.order.has(p.name) && !out.includes(p)) out.push(p);
    }
    return out;
  }

  next(node: GraphNode): GraphNode[] {
    const out: GraphNode[] = [];
    for (const t of node.outputs)
      for (const c of this.graph.consumers(t)) if (this.order.has(c.name) && !out.includes(c)) out.push(c);
    return out;
  }

  /** Does an output of `node` leave the graph? */
  feedsOutput(node: GraphNode): boolean {
    return node.outputs.some((t) => this.graph.outputs.some((o) => o.name === t));
  }

  /**
   * NNCF get_sources_of_node: walking back from `node` (from its inputs when it is itself a source
   * type), the first nodes that `isSource` accepts.
   */
  sources(node: GraphNode, isSource: (n: GraphNode) => boolean): GraphNode[] {
    const seen = new Set<string>();
    const found: GraphNode[] = [];
    const stack = isSource(node) ? this.prev(node) : [node];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n.name)) continue;
      seen.add(n.name);
      if (isSource(n)) found.push(n);
      else stack.push(...this.prev(n));
    }
    return found;
  }

  /** NNCF find_next_nodes_not_of_types: forward from `node` through `skip` nodes to the first others. */
  nextNotOf(node: GraphNode, skip: (n: GraphNode) => boolean): GraphNode[] {
    const seen = new Set<string>();
    const found: GraphNode[] = [];
    const stack = skip(node) ? [node] : this.next(node);
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n.name)) continue;
      seen.add(n.name);
      if (!skip(n)) found.push(n);
      else stack.push(...this.next(n));
    }
    return found;
  }
}
