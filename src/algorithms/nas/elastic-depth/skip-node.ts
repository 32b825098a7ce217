/**
 * The graph-node forms of elastic depth. A skippable block is two commands:
 * - `BlockInput` on the block's input tensor: the identity (its tfjs hook keeps the value for the
 *   skip; as a node it only marks the point, so every command has a node form);
 * - `SkipBlock` on the block's output tensor, reading the input tensor as a second graph input and two
 *   fed 0-d flags: y' = y·keep + x·skip with (keep, skip) = (1, 0) or (0, 1). With 0/1 flags this is
 *   exactly y or x, and switching subnets changes only fed values (no recompile per subnet on ORT).
 * Gradients: dy = dy'·keep, dx = dy'·skip; none to the flags.
 */
import { registerGradientRule } from '../../../autodiff/index.js';
import { COMPRESSION_DOMAIN, type CompressionNodeForm, type CompressionNodeInput } from '../../../compression/index.js';

export const SKIP_BLOCK_OP = 'SkipBlock';
export const BLOCK_INPUT_OP = 'BlockInput';

export function blockInputNodeForm(): CompressionNodeForm {
  return { opType: BLOCK_INPUT_OP, inputs: [] };
}

export function skipBlockNodeForm(
  blockInput: string,
  keep: Omit<CompressionNodeInput, 'trainable'>,
  skip: Omit<CompressionNodeInput, 'trainable'>,
): CompressionNodeForm {
  return { opType: SKIP_BLOCK_OP, graphInputs: [blockInput], inputs: [{ ...keep, trainable: false }, { ...skip, trainable: false }] };
}

registerGradientRule(
  {
    opTypes: [BLOCK_INPUT_OP],
    forward: ({ emit, node }) => {
      emit.nodeOutputs('Identity', [node.inputs[0]], {}, [node.outputs[0]], node.name);
      return {};
    },
    backward: ({ dOutputs, needs }) => [needs[0] ? dOutputs[0] : undefined],
  },
  COMPRESSION_DOMAIN,
);

registerGradientRule(
  {
    opTypes: [SKIP_BLOCK_OP],
    forward: ({ emit, node }) => {
      const [y, x, keep, skip] = node.inputs;
      const kept = emit.op('Mul', [y, keep], {}, node.name);
      const passed = emit.op('Mul', [x, skip], {}, node.name);
      emit.nodeOutputs('Add', [kept, passed], {}, [node.outputs[0]], node.name);
      return {};
    },
    backward: ({ emit, node, dOutputs, needs }) => {
      const [, , keep, skip] = node.inputs;
      const d = dOutputs[0];
      if (!d) return [undefined, undefined, undefined, undefined];
      return [
        needs[0] ? emit.op('Mul', [d, keep], {}, node.name) : undefined,
        needs[1] ? emit.op('Mul', [d, skip], {}, node.name) : undefined,
        undefined,
        undefined,
      ];
    },
  },
  COMPRESSION_DOMAIN,
);
