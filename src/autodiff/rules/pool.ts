/**
 * Pooling. GlobalAveragePool: the gradient spread evenly by one broadcast Mul (Expand measured slow).
 * MaxPool: non-overlapping windows by upsampling (max-pool-upsample.ts); otherwise the forward also
 * returns ONNX's flat argmax indices, and the backward scatters the gradient there with reduction 'add'
 * — correct for padding, overlapping windows and ties (one winner per window, like PyTorch).
 */
import { intAttr } from '../attrs.js';
import { AutodiffError } from '../errors.js';
import { registerGradientRule } from '../registry.js';
import { maxPoolGradByUpsample, upsampleApplies } from './max-pool-upsample.js';

registerGradientRule({
  opTypes: ['GlobalAveragePool'],
  backward: ({ emit, node, dOutputs, shape }) => {
    const spatial = shape(node.inputs[0]).slice(2);
    if (!spatial.every((d) => typeof d === 'number'))
      throw new AutodiffError(
        `${node.name}: GlobalAveragePool's gradient needs known spatial dims, got [${spatial.join(', ')}]`,
      );
    const dims = spatial as number[];
    const count = dims.reduce((a, b) => a * b, 1);
    const spread = emit.floats(new Float32Array(count).fill(1 / count), [1, 1, ...dims]);
    return [emit.op('Mul', [dOutputs[0]!, spread], {}, node.name)];
  },
});

registerGradientRule({
  opTypes: ['MaxPool'],
  forward: ({ emit, node, shape }) => {
    if (upsampleApplies(node, shape)) {
      emit.copy(node);
      return {};
    }
    if (intAttr(node, 'storage_order', 0) !== 0)
      throw new AutodiffError(`${node.name}: MaxPool with storage_order=1 has no gradient rule`);
    const indices = node.outputs[1] || emit.fresh(`${node.name}:argmax`);
    emit.copy({ ...node, outputs: [node.outputs[0], indices] });
    return { saved: { indices } };
  },
  backward: ({ emit, node, dOutputs, saved, shape }) => {
    if (!saved.indices) return [maxPoolGradByUpsample(emit, node, dOutputs[0]!, shape)];
    const x = node.inputs[0];
    const size = emit.reshape(emit.op('Size', [x], {}, node.name), [1], node.name);
    const zeros = emit.op('ConstantOfShape', [size], {}, node.name);
    const flatIdx = emit.reshape(saved.indices, [-1], node.name);
    const flatDy = emit.reshape(dOutputs[0]!, [-1], node.name);
    const dxFlat = emit.op(
      'ScatterElements',
      [zeros, flatIdx, flatDy],
      { axis: 0, reduction: 'add' },
      node.name,
    );
    return [emit.op('Reshape', [dxFlat, emit.op('Shape', [x], {}, node.name)], {}, node.name)];
  },
});
