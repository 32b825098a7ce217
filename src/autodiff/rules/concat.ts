/** Concat: the output gradient split back along the axis into each input's extent. */
import { intAttr } from '../attrs.js';
import { AutodiffError } from '../errors.js';
import { registerGradientRule } from '../registry.js';

registerGradientRule({
  opTypes: ['Concat'],
  backward: ({ emit, node, dOutputs, shape }) => {
    const rank = shape(node.outputs[0]).length;
    const axis = (intAttr(node, 'axis', 0) + rank) % rank;
    const sizes = node.inputs.map((i) => shape(i)[axis]);
    if (!sizes.every((s) => typeof s === 'number'))
      throw new AutodiffError(`${node.name}: Concat's gradient needs known sizes along axis ${axis}`);
    const split = sizes as number[];
    const attrs = { axis };
    const inputs = emit.opset >= 13 ? [dOutputs[0]!, emit.ints(split)] : [dOutputs[0]!];
    return emit.nodeOutputs(
      'Split',
      inputs,
      emit.opset >= 13 ? attrs : { ...attrs, split },
      node.inputs.length,
      node.name,
    );
  },
});
