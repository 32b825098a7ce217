/** Transpose: the gradient transposed back by the inverse permutation. */
import { intsAttr } from '../attrs.js';
import { registerGradientRule } from '../registry.js';

registerGradientRule({
  opTypes: ['Transpose'],
  backward: ({ emit, node, dOutputs, shape }) => {
    const rank = shape(node.inputs[0]).length;
    const perm = intsAttr(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [emit.transpose(dOutputs[0]!, inverse, node.name)];
  },
});
