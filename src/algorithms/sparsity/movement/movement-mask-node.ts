/**
 * Gradient rule of the compression domain's MovementMask node. Inputs: x (the weight or bias, ONNX
 * layout), importance (scores, PyTorch layout [out/r, in/c] or [out/r]), mask (the binary mask, fed:
 * computed before each step from the scores and the scheduled threshold, as NNCF's training forward
 * does), active (0-d: 1 while the scores train, 0 once frozen). Forward y = x · mask. Backward:
 * dx = dy · mask; the threshold passes the gradient straight through (NNCF's STThreshold), so
 * d(expanded importance) = dy · x, summed over each block: dimportance = active · Σ_block dy · x.
 * Attributes: `factors` (block [r, c], or [r] for a bias), `transposed` (1 when the ONNX weight is [in, out]).
 */
import { intAttr, intsAttr, registerGradientRule } from '../../../autodiff/index.js';
import { COMPRESSION_DOMAIN } from '../../../compression/index.js';

export const MOVEMENT_MASK_OP = 'MovementMask';

registerGradientRule(
  {
    opTypes: [MOVEMENT_MASK_OP],
    parameterPorts: [0],
    forward: ({ emit, node }) => {
      emit.nodeOutputs('Mul', [node.inputs[0], node.inputs[2]], {}, [node.outputs[0]], node.name);
      return {};
    },
    backward: ({ emit, node, dOutputs, needs }) => {
      const dy = dOutputs[0]!;
      const [x, importance, mask, active] = node.inputs;
      void importance;
      const dx = needs[0] ? emit.op('Mul', [dy, mask], {}, node.name) : undefined;
      let dImportance: string | undefined;
      if (needs[1]) {
        const factors = intsAttr(node, 'factors') ?? [1, 1];
        const shape = intsAttr(node, 'shape')!; // the weight in PyTorch layout [out, in] (or [out])
        let g = emit.op('Mul', [dy, x], {}, node.name);
        if (intAttr(node, 'transposed', 0) === 1) g = emit.transpose(g, [1, 0], node.name);
        if (factors.some((f) => f !== 1)) {
          const split = factors.length === 2 ? [shape[0] / factors[0], factors[0], shape[1] / factors[1], factors[1]] : [shape[0] / factors[0], factors[0]];
          g = emit.reduceSum(emit.reshape(g, split, node.name), factors.length === 2 ? [1, 3] : [1], false, node.name);
        }
        dImportance = emit.op('Mul', [g, active], {}, node.name);
      }
      return [dx, dImportance, undefined, undefined];
    },
  },
  COMPRESSION_DOMAIN,
);
