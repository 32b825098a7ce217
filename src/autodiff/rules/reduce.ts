/** ReduceSum / ReduceMean: the gradient broadcast back over the reduced axes (÷ count for the mean). */
import type { GraphNode } from '../../graph/types.js';
import { intAttr, intsAttr } from '../attrs.js';
import { AutodiffError } from '../errors.js';
import { registerGradientRule } from '../registry.js';
import type { BackwardContext } from '../rule.js';

function reducedAxes(node: GraphNode, rank: number, ctx: BackwardContext): number[] {
  const fromInput = node.inputs[1] ? ctx.constant(node.inputs[1]) : undefined;
  if (node.inputs[1] && !fromInput)
    throw new AutodiffError(`${node.name}: ${node.opType} with computed axes has no gradient rule`);
  const axes = fromInput
    ? Array.from(fromInput.values as BigInt64Array, Number)
    : (intsAttr(node, 'axes') ?? []);
  if (axes.length === 0)
    return intAttr(node, 'noop_with_empty_axes', 0) ? [] : Array.from({ length: rank }, (_, i) => i);
  return axes.map((a) => (a + rank) % rank).sort((p, q) => p - q);
}

function reduceBack(ctx: BackwardContext, mean: boolean): (string | undefined)[] {
  const { emit, node } = ctx;
  const x = node.inputs[0];
  const sx = ctx.shape(x);
  const axes = reducedAxes(node, sx.length, ctx);
  const base = node.name;
  let dy = ctx.dOutputs[0]!;
  if (intAttr(node, 'keepdims', 1) === 0 && axes.length) dy = emit.unsqueeze(dy, axes, base);
  let dx = emit.op('Expand', [dy, emit.op('Shape', [x], {}, base)], {}, base);
  if (mean) {
    const dims = axes.map((a) => sx[a]);
    if (!dims.every((d) => typeof d === 'number'))
      throw new AutodiffError(`${base}: ReduceMean's gradient needs known sizes along the reduced axes`);
    const count = (dims as number[]).reduce((p, q) => p * q, 1);
    dx = emit.op('Mul', [dx, emit.floats([1 / count], [])], {}, base);
  }
  return [dx, ...node.inputs.slice(1).map(() => undefined)];
}

registerGradientRule({ opTypes: ['ReduceSum'], backward: (ctx) => reduceBack(ctx, false) });
registerGradientRule({ opTypes: ['ReduceMean'], backward: (ctx) => reduceBack(ctx, true) });
