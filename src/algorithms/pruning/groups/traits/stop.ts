import type { PruningTrait } from './trait.js';

/** Ops pruning knows nothing about: they take no pruned input, which blocks their producers (NNCF StopMaskForwardPruningOp). */
export const STOP: PruningTrait = {
  family: 'stop',
  acceptPrunedInput: () => false,
  propagate: () => null,
};

/** Shape reads only the tensor's dimensions: a pruned input is fine and no mask comes out. */
export const SHAPE: PruningTrait = {
  family: 'shape',
  acceptPrunedInput: () => true,
  propagate: () => null,
};
