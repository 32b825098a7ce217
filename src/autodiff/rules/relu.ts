/** Relu: the gradient passes where the output is positive (ReLU'(0) = 0, as PyTorch and tfjs). */
import { registerGradientRule } from '../registry.js';

registerGradientRule({
  opTypes: ['Relu'],
  backward: ({ emit, node, dOutputs }) => {
    const positive = emit.op('Greater', [node.outputs[0], emit.floats([0], [])], {}, node.name);
    const mask = emit.op('Cast', [positive], { to: 1 }, node.name);
    return [emit.op('Mul', [dOutputs[0]!, mask], {}, node.name)];
  },
});
