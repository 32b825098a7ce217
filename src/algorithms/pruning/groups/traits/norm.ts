import type { PruningTrait } from './trait.js';

/**
 * Normalizations follow their producer (NNCF BatchNormPruningOp, LayerNormPruningOp): masks pass
 * through and their scale/bias are masked with the channels.
 */
export const NORM_OPS = ['BatchNormalization', 'InstanceNormalization', 'LayerNormalization'] as const;

export const NORM: PruningTrait = {
  family: 'norm',
  acceptPrunedInput: () => true,
  propagate: (ctx) => ctx.inputs[0],
};
