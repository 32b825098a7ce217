import type { Graph } from '../graph/index.js';
import { EngineError, nearest } from './errors.js';
import { deathSteps } from './liveness.js';

/** What one run executes: node indices in order, the names that die after each step, the inputs it reads. */
export interface RunPlan {
  steps: number[];
  deaths: string[][];
  reads: Set<string>;
}

/** Plans per requested output set: only the nodes those outputs depend on, cached. */
export class RunPlans {
  private readonly cache = new Map<string, RunPlan>();

  constructor(
    private readonly graph: Graph,
    /** Node indices folded at build time (Constant nodes). */
    private readonly folded: Set<number>,
  ) {}

  get(outputs: string[]): RunPlan {
    const key = outputs.join('\u0000');
    const cached = this.cache.get(key);
    if (cached) return cached;
    for (const o of outputs) if (!knowsTensor(this.graph, o)) throw unknownTensor(this.graph, o);
    const index = new Map(this.graph.nodes.map((n, i) => [n, i]));
    const need = new Set<number>();
    const stack = [...outputs];
    while (stack.length) {
      const p = this.graph.producer(stack.pop()!);
      if (!p) continue;
      const i = index.get(p)!;
      if (need.has(i)) continue;
      need.add(i);
      for (const inp of p.inputs) if (inp !== '') stack.push(inp);
    }
    const steps = [...need].filter((i) => !this.folded.has(i)).sort((a, b) => a - b);
    const reads = new Set<string>(outputs);
    for (const i of steps) for (const n of this.graph.nodes[i].inputs) reads.add(n);
    const plan = { steps, deaths: deathSteps(this.graph, steps, outputs), reads };
    this.cache.set(key, plan);
    return plan;
  }
}

export function knowsTensor(graph: Graph, name: string): boolean {
  return graph.tensors.has(name) || graph.producer(name) !== undefined || graph.initializers.has(name);
}

export function unknownTensor(graph: Graph, name: string): EngineError {
  const names = new Set<string>(graph.tensors.keys());
  for (const n of graph.nodes) for (const o of n.outputs) names.add(o);
  const hint = nearest(name, names);
  return new EngineError(`no tensor "${name}" in the graph${hint ? `; did you mean "${hint}"?` : ''}`);
}
