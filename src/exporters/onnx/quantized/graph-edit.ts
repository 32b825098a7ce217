/** Small in-place Graph edits shared by the quantizer writers: fresh names, constants, nodes, hooks on tensors. */
import type { Graph } from '../../../graph/graph.js';
import type { AttributeValue, DType, TensorValues } from '../../../graph/types.js';
import type { ActivationTarget } from './spec.js';

export class GraphEditor {
  private readonly used = new Set<string>();

  constructor(readonly graph: Graph) {
    for (const k of graph.tensors.keys()) this.used.add(k);
    for (const k of graph.initializers.keys()) this.used.add(k);
    for (const n of graph.nodes) {
      this.used.add(n.name);
      for (const o of n.outputs) this.used.add(o);
      for (const i of n.inputs) this.used.add(i);
    }
  }

  /** `base`, or `base_1`, `base_2`… if taken (names of tensors and nodes share one namespace here). */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  constant(base: string, dtype: DType, dims: number[], values: TensorValues): string {
    const name = this.fresh(base);
    this.graph.initializers.set(name, { name, dtype, dims, values });
    this.graph.tensors.set(name, { name, dtype, shape: [...dims] });
    return name;
  }

  /** Adds a node (reindex() later) and returns its name; `outputs` are exact names already reserved by the caller. */
  node(opType: string, base: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}, domain = ''): string {
    const name = this.fresh(base);
    this.graph.nodes.push({ name, opType, domain, inputs, outputs, attributes, scope: name });
    return name;
  }

  /** Records dtype/shape of a new edge (same shape as `like`). */
  describe(name: string, dtype: DType, like: string): void {
    const shape = this.graph.tensor(like)?.shape ?? null;
    this.graph.tensors.set(name, { name, dtype, shape: shape ? [...shape] : null });
  }

  /**
   * Puts a chain of nodes on an activation. `chain(input, output)` must add nodes that read `input` and
   * produce `output`. Post-hook on a node output: the producer's output is renamed and the chain writes
   * the original name, so every consumer and a graph output see the quantized value unchanged in name.
   * Post-hook on a graph input, or a pre-hook: the chain writes a new tensor and the ports are rewired.
   */
  hook(target: ActivationTarget, base: string, chain: (input: string, output: string) => void): void {
    const g = this.graph;
    const t = target.tensor;
    const producer = g.producer(t);
    if (!target.consumers && producer) {
      const raw = this.fresh(`${t}/float`);
      producer.outputs = producer.outputs.map((o) => (o === t ? raw : o));
      this.describe(raw, g.tensor(t)?.dtype ?? 'float32', t);
      chain(raw, t);
      return;
    }
    const out = this.fresh(`${base}/dequantized`);
    this.describe(out, 'float32', t);
    chain(t, out);
    const ports = target.consumers;
    for (const c of ports ? ports.map((p) => ({ node: g.node(p.node)!, port: p.port })) : g.consumers(t).flatMap((n) => n.inputs.map((_, port) => ({ node: n, port })))) {
      if (c.node.inputs[c.port] === t) c.node.inputs[c.port] = out;
    }
  }

  /** Drops initializers no node reads any more (e.g. folded BatchNormalization parameters). */
  dropUnusedInitializers(names: Iterable<string>): void {
    const read = new Set(this.graph.nodes.flatMap((n) => n.inputs));
    for (const o of this.graph.outputs) read.add(o.name);
    for (const n of names) if (!read.has(n)) {
      this.graph.initializers.delete(n);
      this.graph.tensors.delete(n);
    }
  }
}

export const intAttr = (value: number): AttributeValue => ({ type: 'int', value });
export const intsAttr = (value: number[]): AttributeValue => ({ type: 'ints', value });
