/** Ops that only change the shape: the gradient is reshaped back to the input's shape. */
import { registerGradientRule } from '../registry.js';
import type { BackwardContext } from '../rule.js';

function reshapeBack({ emit, node, dOutputs, needs }: BackwardContext): (string | undefined)[] {
  if (!needs[0]) return node.inputs.map(() => undefined);
  const shape = emit.op('Shape', [node.inputs[0]], {}, node.name);
  return [
    emit.op('Reshape', [dOutputs[0]!, shape], {}, node.name),
    ...node.inputs.slice(1).map(() => undefined),
  ];
}

registerGradientRule({
  opTypes: ['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity'],
  backward: reshapeBack,
});
