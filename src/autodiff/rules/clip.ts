/**
 * Clip (ReLU6 and friends): the gradient passes where min < x < max — strict, like the Relu rule and
 * PyTorch's hardtanh. Bounds are inputs since opset 11, attributes before.
 */
import { floatAttr } from '../attrs.js';
import { registerGradientRule } from '../registry.js';

registerGradientRule({
  opTypes: ['Clip'],
  backward: ({ emit, node, dOutputs, needs }) => {
    const [x, minIn, maxIn] = node.inputs;
    const base = node.name;
    const bound = (input: string | undefined, attr: string) =>
      input ? input : node.attributes[attr] ? emit.floats([floatAttr(node, attr, 0)], []) : undefined;
    const lo = bound(minIn, 'min');
    const hi = bound(maxIn, 'max');
    const inside = [
      lo && emit.op('Greater', [x, lo], {}, base),
      hi && emit.op('Less', [x, hi], {}, base),
    ].filter((t): t is string => !!t);
    if (!needs[0]) return node.inputs.map(() => undefined);
    if (inside.length === 0) return [dOutputs[0]];
    const both = inside.length === 2 ? emit.op('And', inside, {}, base) : inside[0];
    return [emit.op('Mul', [dOutputs[0]!, emit.op('Cast', [both], { to: 1 }, base)], {}, base)];
  },
});
