/**
 * Dropout in train mode: ORT draws the mask each run (the node's `seed`, if any, is kept) and returns it;
 * the backward keeps dy where the mask is set, scaled like the forward by 1/(1 − ratio).
 */
import { floatAttr } from '../attrs.js';
import { registerGradientRule } from '../registry.js';

registerGradientRule({
  opTypes: ['Dropout'],
  forward: ({ emit, node }) => {
    const [x, ratioIn] = node.inputs;
    // Before opset 12 the ratio was an attribute.
    const ratio = ratioIn || emit.floats([floatAttr(node, 'ratio', 0.5)], []);
    const mask = node.outputs[1] || emit.fresh(`${node.name}:mask`);
    const seed: Record<string, number> =
      node.attributes.seed?.type === 'int' ? { seed: Number(node.attributes.seed.value) } : {};
    emit.nodeOutputs('Dropout', [x, ratio, emit.bool(true)], seed, [node.outputs[0], mask], node.name);
    return { saved: { mask, ratio } };
  },
  backward: ({ emit, node, dOutputs, saved }) => {
    const base = node.name;
    const keep = emit.op('Sub', [emit.floats([1], []), saved.ratio], {}, base);
    const kept = emit.op('Mul', [dOutputs[0]!, emit.op('Cast', [saved.mask], { to: 1 }, base)], {}, base);
    return [emit.op('Div', [kept, keep], {}, base), ...node.inputs.slice(1).map(() => undefined)];
  },
});
