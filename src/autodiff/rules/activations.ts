/**
 * Smooth and piecewise activations (MobileNetV3 / EfficientNet / SE blocks): Sigmoid, Tanh, LeakyRelu,
 * HardSigmoid, HardSwish. Derivatives reuse the output where that is exact; at kinks the gradient is
 * that of the open interval (strict comparisons, like the Relu rule).
 */
import { floatAttr } from '../attrs.js';
import type { GraphEmitter } from '../emitter.js';
import { registerGradientRule } from '../registry.js';

const f = (emit: GraphEmitter, v: number) => emit.floats([v], []);
const mask = (emit: GraphEmitter, cond: string, base: string) => emit.op('Cast', [cond], { to: 1 }, base);

/** 1 where lo < t < hi, else 0. */
function inside(emit: GraphEmitter, t: string, lo: number, hi: number, base: string): string {
  const both = emit.op(
    'And',
    [emit.op('Greater', [t, f(emit, lo)], {}, base), emit.op('Less', [t, f(emit, hi)], {}, base)],
    {},
    base,
  );
  return mask(emit, both, base);
}

registerGradientRule({
  opTypes: ['Sigmoid'],
  backward: ({ emit, node, dOutputs }) => {
    const y = node.outputs[0];
    const slope = emit.op('Mul', [y, emit.op('Sub', [f(emit, 1), y], {}, node.name)], {}, node.name);
    return [emit.op('Mul', [dOutputs[0]!, slope], {}, node.name)];
  },
});

registerGradientRule({
  opTypes: ['Tanh'],
  backward: ({ emit, node, dOutputs }) => {
    const y = node.outputs[0];
    const slope = emit.op('Sub', [f(emit, 1), emit.op('Mul', [y, y], {}, node.name)], {}, node.name);
    return [emit.op('Mul', [dOutputs[0]!, slope], {}, node.name)];
  },
});

registerGradientRule({
  opTypes: ['LeakyRelu'],
  backward: ({ emit, node, dOutputs }) => {
    const alpha = floatAttr(node, 'alpha', 0.01);
    const positive = emit.op('Greater', [node.inputs[0], f(emit, 0)], {}, node.name);
    const slope = emit.op('Where', [positive, f(emit, 1), f(emit, alpha)], {}, node.name);
    return [emit.op('Mul', [dOutputs[0]!, slope], {}, node.name)];
  },
});

registerGradientRule({
  opTypes: ['HardSigmoid'],
  backward: ({ emit, node, dOutputs }) => {
    const [alpha, beta] = [floatAttr(node, 'alpha', 0.2), floatAttr(node, 'beta', 0.5)];
    const z = emit.op(
      'Add',
      [emit.op('Mul', [node.inputs[0], f(emit, alpha)], {}, node.name), f(emit, beta)],
      {},
      node.name,
    );
    return [
      emit.op(
        'Mul',
        [dOutputs[0]!, emit.op('Mul', [inside(emit, z, 0, 1, node.name), f(emit, alpha)], {}, node.name)],
        {},
        node.name,
      ),
    ];
  },
});

registerGradientRule({
  opTypes: ['HardSwish'],
  // y = x·hs(x), hs = clip(x/6 + 1/2, 0, 1): dy/dx = hs + x/6·[0 < x/6 + 1/2 < 1]
  backward: ({ emit, node, dOutputs }) => {
    const x = node.inputs[0];
    const base = node.name;
    const z = emit.op('Add', [emit.op('Mul', [x, f(emit, 1 / 6)], {}, base), f(emit, 0.5)], {}, base);
    const hs = emit.op('Clip', [z, f(emit, 0), f(emit, 1)], {}, base);
    const slope = emit.op(
      'Add',
      [
        hs,
        emit.op(
          'Mul',
          [emit.op('Mul', [x, f(emit, 1 / 6)], {}, base), inside(emit, z, 0, 1, base)],
          {},
          base,
        ),
      ],
      {},
      base,
    );
    return [emit.op('Mul', [dOutputs[0]!, slope], {}, base)];
  },
});
