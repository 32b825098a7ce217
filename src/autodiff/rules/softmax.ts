/** Softmax over one axis (opset ≥ 13 semantics): dx = y · (dy − Σ dy·y). */
import { intAttr } from '../attrs.js';
import { AutodiffError } from '../errors.js';
import { registerGradientRule } from '../registry.js';

registerGradientRule({
  opTypes: ['Softmax'],
  backward: ({ emit, node, dOutputs, shape }) => {
    const rank = shape(node.inputs[0]).length;
    const axis = (intAttr(node, 'axis', emit.opset >= 13 ? -1 : 1) + rank) % rank;
    // Before opset 13 Softmax flattened every axis from `axis` on: the same only when it is the last.
    if (emit.opset < 13 && axis !== rank - 1)
      throw new AutodiffError(
        `${node.name}: Softmax before opset 13 over axis ${axis} of a rank-${rank} tensor has no gradient rule`,
      );
    const y = node.outputs[0];
    const dy = dOutputs[0]!;
    const base = node.name;
    const dot = emit.reduceSum(emit.op('Mul', [dy, y], {}, base), [axis], true, base);
    return [emit.op('Mul', [y, emit.op('Sub', [dy, dot], {}, base)], {}, base)];
  },
});
