import type { PruningTrait } from './trait.js';

/** Per-channel normalizations follow their producer (NNCF BatchNormPruningOp): masks pass through. */
export const NORM_OPS = ['BatchNormalization', 'InstanceNormalization'] as const;

export const NORM: PruningTrait = {
  family: 'norm',
  acceptPrunedInput: () => true,
  propagate: (ctx) => ctx.inputs[0],
};
