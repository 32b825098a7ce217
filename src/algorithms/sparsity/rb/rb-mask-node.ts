/**
 * Gradient rule of the compression domain's RBMask node (inputs: x, logits, noise; noise fed each step):
 * p = sigmoid(logits + noise), b = (p > 0.5), y = x · b. Backward: dx = dy · b; the threshold passes the
 * gradient straight through, so dlogits = dy · x · p · (1 − p); none to the noise.
 */
import { registerGradientRule } from '../../../autodiff/index.js';
import { COMPRESSION_DOMAIN } from '../../../compression/index.js';
import { RB_MASK_OP } from './rb-mask.js';

registerGradientRule(
  {
    opTypes: [RB_MASK_OP],
    parameterPorts: [0],
    forward: ({ emit, node }) => {
      const [x, logits, noise] = node.inputs;
      const p = emit.op('Sigmoid', [emit.op('Add', [logits, noise], {}, node.name)], {}, node.name);
      const half = emit.floats([0.5], []);
      const b = emit.op('Cast', [emit.op('Greater', [p, half], {}, node.name)], { to: 1 }, node.name);
      emit.nodeOutputs('Mul', [x, b], {}, [node.outputs[0]], node.name);
      return { saved: { p, b } };
    },
    backward: ({ emit, node, dOutputs, needs, saved }) => {
      const dy = dOutputs[0]!;
      const dx = needs[0] ? emit.op('Mul', [dy, saved.b], {}, node.name) : undefined;
      let dLogits: string | undefined;
      if (needs[1]) {
        const one = emit.floats([1], []);
        const dsig = emit.op('Mul', [saved.p, emit.op('Sub', [one, saved.p], {}, node.name)], {}, node.name);
        dLogits = emit.op('Mul', [emit.op('Mul', [dy, node.inputs[0]], {}, node.name), dsig], {}, node.name);
      }
      return [dx, dLogits, undefined];
    },
  },
  COMPRESSION_DOMAIN,
);
