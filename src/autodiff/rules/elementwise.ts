/** Add, Sub, Mul with broadcasting: the output gradient, scaled for Mul, summed back to each operand's shape. */
import { registerGradientRule } from '../registry.js';
import type { BackwardContext } from '../rule.js';
import { unbroadcast } from './unbroadcast.js';

function backward(ctx: BackwardContext, scale: (port: number, dy: string) => string): (string | undefined)[] {
  const { node, emit } = ctx;
  const dy = ctx.dOutputs[0]!;
  const outShape = ctx.shape(node.outputs[0]);
  return node.inputs.map((input, port) =>
    ctx.needs[port] ? unbroadcast(emit, scale(port, dy), outShape, ctx.shape(input), node.name) : undefined,
  );
}

registerGradientRule({ opTypes: ['Add'], backward: (ctx) => backward(ctx, (_, dy) => dy) });

registerGradientRule({
  opTypes: ['Sub'],
  backward: (ctx) =>
    backward(ctx, (port, dy) => (port === 0 ? dy : ctx.emit.op('Neg', [dy], {}, ctx.node.name))),
});

registerGradientRule({
  opTypes: ['Mul'],
  // d(a*b)/da = b: multiply by the other operand before summing back.
  backward: (ctx) =>
    backward(ctx, (port, dy) => ctx.emit.op('Mul', [dy, ctx.node.inputs[1 - port]], {}, ctx.node.name)),
});
