import type { PruningTrait } from './trait.js';

/**
 * Conv / Gemm / MatMul with a weight: they take pruned inputs (their input channels shrink) and emit
 * their own filters' map when pruned (a MatMul of two activations or a Gemm with transA stops masks); a depthwise conv passes its input's map on (its filters follow the
 * producer); other grouped convs take no pruned input.
 */
export const LAYER: PruningTrait = {
  family: 'layer',
  acceptPrunedInput: (_node, _graph, layer) => !!layer && (!layer.grouped || layer.depthwise),
  propagate(ctx) {
    if (!ctx.layer) return null;
    if (ctx.layer.depthwise) return ctx.inputs[0];
    if (ctx.layer.grouped) return null;
    return ctx.seed;
  },
};
