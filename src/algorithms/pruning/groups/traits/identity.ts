import type { PruningTrait } from './trait.js';
import { firstMap } from './trait.js';

/**
 * Ops that keep channel c of the input as channel c of the output (activations, pooling, resize,
 * dropout…): masks pass through unchanged (NNCF IdentityMaskForwardPruningOp). Pad only with zeros.
 */
export const IDENTITY_OPS = [
  'Relu', 'LeakyRelu', 'Elu', 'Selu', 'Celu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Softplus', 'Softsign',
  'Gelu', 'Mish', 'Clip', 'Dropout', 'Identity', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool',
  'LpPool', 'Resize', 'Upsample', 'Abs', 'Neg', 'Erf', 'ThresholdedRelu', 'Shrink', 'Cast',
] as const;

export const IDENTITY: PruningTrait = {
  family: 'identity',
  acceptPrunedInput: () => true,
  propagate: (ctx) => firstMap(ctx.inputs.slice(0, 1)),
};

/** Pad passes masks only when it pads with zeros (NNCF PadPruningOp). */
export const PAD: PruningTrait = {
  family: 'identity',
  acceptPrunedInput(node, graph) {
    const mode = node.attributes.mode;
    if (mode?.type === 'string' && mode.value !== 'constant') return true;
    const value = node.inputs[2] ? graph.initializers.get(node.inputs[2]) : undefined;
    if (node.inputs[2] && !value) return false;
    return !value || Number(value.values[0]) === 0;
  },
  propagate: (ctx) => ctx.inputs[0],
};
