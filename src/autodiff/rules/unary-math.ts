/** Elementwise math with closed-form derivatives: Erf, Sqrt, Pow (constant exponent), Div. */
import { AutodiffError } from '../errors.js';
import { registerGradientRule } from '../registry.js';
import { unbroadcast } from './unbroadcast.js';

registerGradientRule({
  opTypes: ['Erf'],
  // erf'(x) = 2/√π · exp(−x²)
  backward: ({ emit, node, dOutputs }) => {
    const x = node.inputs[0];
    const base = node.name;
    const gauss = emit.op('Exp', [emit.op('Neg', [emit.op('Mul', [x, x], {}, base)], {}, base)], {}, base);
    return [
      emit.op(
        'Mul',
        [dOutputs[0]!, emit.op('Mul', [gauss, emit.floats([2 / Math.sqrt(Math.PI)], [])], {}, base)],
        {},
        base,
      ),
    ];
  },
});

registerGradientRule({
  opTypes: ['Sqrt'],
  // d√x = 1 / (2√x): reuses the output.
  backward: ({ emit, node, dOutputs }) => [
    emit.op(
      'Div',
      [dOutputs[0]!, emit.op('Mul', [node.outputs[0], emit.floats([2], [])], {}, node.name)],
      {},
      node.name,
    ),
  ],
});

registerGradientRule({
  opTypes: ['Pow'],
  backward: ({ emit, node, dOutputs, needs, shape }) => {
    const [x, e] = node.inputs;
    if (needs[1]) throw new AutodiffError(`${node.name}: the Pow gradient rule needs a constant exponent`);
    const base = node.name;
    const one = emit.floats([1], []);
    const slope = emit.op(
      'Mul',
      [e, emit.op('Pow', [x, emit.op('Sub', [e, one], {}, base)], {}, base)],
      {},
      base,
    );
    return [
      unbroadcast(
        emit,
        emit.op('Mul', [dOutputs[0]!, slope], {}, base),
        shape(node.outputs[0]),
        shape(x),
        base,
      ),
      undefined,
    ];
  },
});

registerGradientRule({
  opTypes: ['Div'],
  // d(a/b) = dy/b, −dy·y/b
  backward: ({ emit, node, dOutputs, needs, shape }) => {
    const [a, b] = node.inputs;
    const dy = dOutputs[0]!;
    const base = node.name;
    const out = shape(node.outputs[0]);
    const da = needs[0]
      ? unbroadcast(emit, emit.op('Div', [dy, b], {}, base), out, shape(a), base)
      : undefined;
    const db = needs[1]
      ? unbroadcast(
          emit,
          emit.op(
            'Neg',
            [emit.op('Div', [emit.op('Mul', [dy, node.outputs[0]], {}, base), b], {}, base)],
            {},
            base,
          ),
          out,
          shape(b),
          base,
        )
      : undefined;
    return [da, db];
  },
});
