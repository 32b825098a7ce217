/**
 * The generic Mask node of the compression domain: y = x · mask (mask broadcast to x), the node form
 * of every multiplicative mask (magnitude/const sparsity, filter pruning, an RB mask once drawn).
 * Gradient: dx = dy · mask; none to the mask (NNCF's masks are buffers, or binarized with their own
 * straight-through rule, which gets its own op type). Output 0 keeps x's shape, so the mask must not
 * broadcast x to a larger shape.
 */
import { registerGradientRule } from '../../autodiff/index.js';
import { COMPRESSION_DOMAIN, type CompressionNodeForm, type CompressionNodeInput } from '../../compression/index.js';

export const MASK_OP = 'Mask';

/** The node form of a mask command: the mask is fed at every step (updates need no recompile). */
export function maskNodeForm(mask: Omit<CompressionNodeInput, 'trainable'>): CompressionNodeForm {
  return { opType: MASK_OP, inputs: [{ ...mask, trainable: false }] };
}

registerGradientRule(
  {
    opTypes: [MASK_OP],
    // A weight read through the mask stays a parameter, as it was for its consumer (Conv, Gemm…).
    parameterPorts: [0],
    forward: ({ emit, node }) => {
      emit.nodeOutputs('Mul', [node.inputs[0], node.inputs[1]], {}, [node.outputs[0]], node.name);
      return {};
    },
    backward: ({ emit, node, dOutputs, needs }) => [
      needs[0] ? emit.op('Mul', [dOutputs[0]!, node.inputs[1]], {}, node.name) : undefined,
      undefined,
    ],
  },
  COMPRESSION_DOMAIN,
);
