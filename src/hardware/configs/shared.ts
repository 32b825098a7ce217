import type { HwOpEntry, HwQConfigDef } from '../types.js';

/** Named quantizer configurations of NNCF v2.19 hardware configs (identical in cpu/gpu/npu; q4/q2 used by NPU only). */
export const NAMED_QCONFIGS: Readonly<Record<string, HwQConfigDef>> = {
  q8_a_sym: { bits: 8, mode: ['symmetric'], granularity: ['pertensor'], narrowRange: [false] },
  q8_a: { bits: 8, mode: ['symmetric', 'asymmetric'], granularity: ['pertensor'], narrowRange: [false] },
  q8_a_ch: { bits: 8, mode: ['symmetric', 'asymmetric'], granularity: ['perchannel', 'pertensor'], narrowRange: [false] },
  q8_w_sym: { bits: 8, mode: ['symmetric'], granularity: ['perchannel', 'pertensor'], narrowRange: [true], forceSigned: true },
  q8_w_sym_any_nr: { bits: 8, mode: ['symmetric'], granularity: ['perchannel', 'pertensor'], narrowRange: [true, false], forceSigned: true },
  q8_w_asym: { bits: 8, mode: ['asymmetric'], granularity: ['perchannel', 'pertensor'], narrowRange: [false] },
  q16_a_sym: { bits: 16, mode: ['symmetric'], granularity: ['pertensor'], narrowRange: [false] },
  q16_a: { bits: 16, mode: ['symmetric', 'asymmetric'], granularity: ['pertensor'], narrowRange: [false] },
  q16_a_ch: { bits: 16, mode: ['symmetric', 'asymmetric'], granularity: ['perchannel', 'pertensor'], narrowRange: [false] },
  q16_w_sym: { bits: 16, mode: ['symmetric'], granularity: ['perchannel', 'pertensor'], narrowRange: [true], forceSigned: true },
  q16_w_sym_any_nr: { bits: 16, mode: ['symmetric'], granularity: ['perchannel', 'pertensor'], narrowRange: [true, false], forceSigned: true },
  q16_w_asym: { bits: 16, mode: ['asymmetric'], granularity: ['perchannel', 'pertensor'], narrowRange: [false] },
  q4_tn: { bits: 4, mode: ['symmetric'], granularity: ['pertensor'] },
  q4_ch: { bits: 4, mode: ['symmetric'], granularity: ['perchannel'] },
  q4_w: { bits: 4, mode: ['symmetric'], granularity: ['perchannel', 'pertensor'] },
  q2_ch: { bits: 2, mode: ['symmetric'], granularity: ['perchannel'] },
  q2_w: { bits: 2, mode: ['symmetric'], granularity: ['perchannel', 'pertensor'] },
};

export const ACT = ['q8_a', 'q16_a'] as const;
export const W = ['q8_w_sym', 'q8_w_asym', 'q16_w_sym', 'q16_w_asym'] as const;

/** Binary elementwise, comparison and logical ops: quantizable like Add on CPU/GPU. */
export const ELEMENTWISE_OPS = [
  'Add', 'Multiply', 'Maximum', 'Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Divide', 'Minimum',
  'Equal', 'Subtract', 'NotEqual', 'FloorMod', 'LogicalOr', 'LogicalXor', 'LogicalAnd', 'LogicalNot',
] as const;

export const ACTIVATION_ONLY_OPS = [
  'Power', 'AvgPool', 'NormalizeL2', 'ReduceL2', 'ReduceMean', 'MVN', 'ReduceSum', 'GroupNormalization',
] as const;

/** Listed without quantization: quantizers pass through them (quantization-agnostic). */
export const AGNOSTIC_OPS = [
  'MaxPool', 'ReduceMax', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Split', 'VariadicSplit', 'Crop',
  'Transpose', 'Tile', 'StridedSlice', 'Slice', 'ShuffleChannels', 'Broadcast', 'Pad', 'ConvertLike',
] as const;

export function agnosticEntries(): HwOpEntry[] {
  return AGNOSTIC_OPS.map((type) => ({ type }));
}

export const EMBEDDING_WEIGHTS = ['q8_w_sym_any_nr', 'q8_w_asym', 'q16_w_sym_any_nr', 'q16_w_asym'] as const;

export function commonTail(): HwOpEntry[] {
  return [
    { type: 'Concat', unifiedScales: true },
    { type: 'ScaledDotProductAttention', activations: ['q8_a_sym', 'q16_a_sym'] },
    { type: 'LSTMSequence', activations: ACT, weights: ['q8_w_sym', 'q16_w_sym'] },
    { type: 'GRUSequence', activations: ACT, weights: ['q8_w_sym', 'q16_w_sym'] },
    ...agnosticEntries(),
    { type: 'Embedding', weights: EMBEDDING_WEIGHTS },
  ];
}
