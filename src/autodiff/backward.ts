/**
 * The reverse pass: walks the forward nodes backwards from the loss, asks each node's rule for its
 * inputs' gradients, and sums the contributions of tensors that feed several consumers.
 */
import type { ConstTensor, Dim, GraphNode } from '../graph/types.js';
import type { GraphEmitter } from './emitter.js';
import { gradientRuleFor } from './registry.js';

export class GradientTable {
  private readonly parts = new Map<string, string[]>();

  constructor(private readonly emit: GraphEmitter) {}

  add(tensor: string, grad: string): void {
    const list = this.parts.get(tensor);
    if (list) list.push(grad);
    else this.parts.set(tensor, [grad]);
  }

  /** The total gradient of `tensor` (one Sum node when several consumers contributed), or undefined. */
  total(tensor: string): string | undefined {
    const list = this.parts.get(tensor);
    if (!list?.length) return undefined;
    if (list.length > 1) this.parts.set(tensor, [this.emit.op('Sum', list, {}, `grad/${tensor}`)]);
    return this.parts.get(tensor)![0];
  }
}

/** Ops whose outputs carry no gradient whatever their inputs (shapes, comparisons, indices). */
const NON_DIFFERENTIABLE = new Set([
  'Shape',
  'Size',
  'Equal',
  'Greater',
  'GreaterOrEqual',
  'Less',
  'LessOrEqual',
  'ArgMax',
  'ArgMin',
  'NonZero',
  'Not',
  'And',
  'Or',
]);

/**
 * Float tensors whose value depends on a parameter: only these need gradients. Integer and boolean
 * tensors (a Shape → Gather → Concat chain feeding a Reshape, as PyTorch exports Flatten) stop the flow,
 * so their ops need no rule.
 */
export function tensorsNeedingGrad(
  nodes: readonly GraphNode[],
  parameters: Iterable<string>,
  isFloat: (tensor: string) => boolean,
): Set<string> {
  const needs = new Set(parameters);
  for (const node of nodes) {
    if (NON_DIFFERENTIABLE.has(node.opType) || !node.inputs.some((i) => needs.has(i))) continue;
    for (const o of node.outputs) if (o && isFloat(o)) needs.add(o);
  }
  return needs;
}

/** Nodes the backward passes through: a gradient reaches them and they carry one on. */
export function differentiatedNodes(nodes: readonly GraphNode[], needsGrad: Set<string>): GraphNode[] {
  return nodes.filter(
    (n) => n.inputs.some((i) => needsGrad.has(i)) && n.outputs.some((o) => needsGrad.has(o)),
  );
}

export function emitBackward(args: {
  emit: GraphEmitter;
  nodes: readonly GraphNode[];
  needsGrad: Set<string>;
  saved: Map<GraphNode, Record<string, string>>;
  grads: GradientTable;
  shape: (tensor: string) => Dim[];
  constant: (tensor: string) => ConstTensor | undefined;
}): void {
  const { emit, nodes, needsGrad, saved, grads, shape, constant } = args;
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k];
    const needs = node.inputs.map((i) => i !== '' && needsGrad.has(i));
    if (!needs.some(Boolean) || !node.outputs.some((o) => needsGrad.has(o))) continue;
    const dOutputs = node.outputs.map((o) => (o ? grads.total(o) : undefined));
    if (!dOutputs.some(Boolean)) continue;
    const rule = gradientRuleFor(node);
    const dInputs = rule.backward({
      emit,
      node,
      dOutputs,
      needs,
      saved: saved.get(node) ?? {},
      shape,
      constant,
    });
    node.inputs.forEach((input, port) => {
      const g = dInputs[port];
      if (needs[port] && g) grads.add(input, g);
    });
  }
}
