/**
 * Which float initializers become graph inputs of the training graph: trainable parameters (a rule's
 * parameter ports, or the caller's choice) and running state (a rule's state ports, e.g. BN statistics).
 */
import type { Graph } from '../graph/graph.js';
import type { GraphNode } from '../graph/types.js';
import { findGradientRule } from './registry.js';

export interface InitializerRoles {
  parameters: string[];
  state: string[];
  /** Fed at every step without a gradient (compression nodes' masks and flags). */
  fed: string[];
}

const isFloatInitializer = (graph: Graph, name: string) => graph.initializers.get(name)?.dtype === 'float32';

export function initializerRoles(
  graph: Graph,
  nodes: readonly GraphNode[],
  trainable?: (name: string) => boolean | undefined,
  isFed?: (name: string) => boolean,
): InitializerRoles {
  const parameters = new Set<string>();
  const state = new Set<string>();
  const fed = new Set<string>();
  for (const node of nodes) {
    const rule = findGradientRule(node);
    node.inputs.forEach((input, port) => {
      if (!input || !isFloatInitializer(graph, input)) return;
      if (isFed?.(input)) fed.add(input);
      else if (rule?.statePorts?.includes(port)) state.add(input);
      else if (trainable?.(input) ?? rule?.parameterPorts?.includes(port)) parameters.add(input);
    });
  }
  // A running statistic is never also a parameter.
  for (const s of state) parameters.delete(s);
  return { parameters: [...parameters], state: [...state], fed: [...fed] };
}

/** Nodes needed to compute `targets`, in the graph's topological order. */
export function nodesFeeding(graph: Graph, targets: string[]): GraphNode[] {
  const needed = new Set<GraphNode>();
  const stack = [...targets];
  while (stack.length) {
    const node = graph.producer(stack.pop()!);
    if (!node || needed.has(node)) continue;
    needed.add(node);
    stack.push(...node.inputs.filter(Boolean));
  }
  return graph.nodes.filter((n) => needed.has(n));
}
