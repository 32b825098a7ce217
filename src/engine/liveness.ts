import type * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../graph/index.js';
import type { Value } from './value.js';

/**
 * For a plan (node indices in order), the tensor names whose last reader is each step, so that
 * intermediates are released as soon as nothing needs them (peak memory = live set, not all
 * activations). Graph inputs, constants and requested outputs never die. Under a gradient tape this
 * is safe: tfjs keeps its own clones of the tensors a backward pass needs.
 */
export function deathSteps(graph: Graph, plan: number[], outputs: string[]): string[][] {
  const keep = new Set<string>([...outputs, ...graph.inputs.map((i) => i.name), ...graph.initializers.keys()]);
  const last = new Map<string, number>();
  plan.forEach((nodeIndex, step) => {
    const node = graph.nodes[nodeIndex];
    for (const o of node.outputs) if (o !== '' && !last.has(o)) last.set(o, step);
    for (const i of node.inputs) if (i !== '') last.set(i, step);
  });
  const deaths: string[][] = plan.map(() => []);
  const produced = new Set(plan.flatMap((i) => graph.nodes[i].outputs));
  for (const [name, step] of last) if (!keep.has(name) && produced.has(name)) deaths[step].push(name);
  return deaths;
}

/** Counts how many live names hold each tensor object; disposes a tensor when the last one dies. */
export class TensorRefs {
  private counts = new Map<tf.Tensor, number>();

  constructor(private readonly pinned: Set<tf.Tensor>) {}

  hold(v: Value): void {
    this.counts.set(v.t, (this.counts.get(v.t) ?? 0) + 1);
  }

  release(v: Value): void {
    const n = (this.counts.get(v.t) ?? 1) - 1;
    this.counts.set(v.t, n);
    if (n <= 0) this.drop(v.t);
    if (v.canon && !this.counts.get(v.canon)) this.drop(v.canon);
  }

  private drop(t: tf.Tensor): void {
    if (this.pinned.has(t) || t.isDisposed) return;
    this.counts.delete(t);
    t.dispose();
  }
}
