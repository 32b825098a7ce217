/**
 * Gather along axis 0 (embedding lookups): the table's gradient is dy scattered back into the looked-up
 * rows with reduction 'add' (repeated indices accumulate). Indices carry no gradient.
 */
import { intAttr } from '../attrs.js';
import { AutodiffError } from '../errors.js';
import { registerGradientRule } from '../registry.js';

registerGradientRule({
  opTypes: ['Gather'],
  parameterPorts: [0],
  backward: ({ emit, node, dOutputs, needs, shape }) => {
    if (!needs[0]) return [undefined, undefined];
    const [table, indices] = node.inputs;
    const dims = shape(table);
    if (intAttr(node, 'axis', 0) !== 0)
      throw new AutodiffError(`${node.name}: the Gather gradient rule supports axis 0 only`);
    if (!dims.every((d) => typeof d === 'number'))
      throw new AutodiffError(`${node.name}: Gather's gradient needs the table's shape`);
    const base = node.name;
    const zeros = emit.op('ConstantOfShape', [emit.ints(dims as number[])], {}, base);
    const where = emit.unsqueeze(indices, [-1], base);
    return [emit.op('ScatterND', [zeros, where, dOutputs[0]!], { reduction: 'add' }, base), undefined];
  },
});
