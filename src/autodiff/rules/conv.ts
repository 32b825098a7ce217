/** Conv (2-D, dense or depthwise): input, weight and bias gradients. */
import { registerGradientRule } from '../registry.js';
import { convGeometry } from './conv-geometry.js';
import { convInputGrad } from './conv-input-grad.js';
import { convWeightGrad } from './conv-weight-grad.js';

registerGradientRule({
  opTypes: ['Conv'],
  parameterPorts: [1, 2],
  backward: ({ emit, node, dOutputs, needs, shape }) => {
    const g = convGeometry(node, shape);
    const [x, w] = node.inputs;
    const dy = dOutputs[0]!;
    return [
      needs[0] ? convInputGrad(emit, dy, w, g, node.name) : undefined,
      needs[1] ? convWeightGrad(emit, x, dy, g, node.name) : undefined,
      needs[2] ? emit.reduceSum(dy, [0, 2, 3], false, node.name) : undefined,
    ];
  },
});
