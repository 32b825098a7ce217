import type { HwConfig, HwOpEntry } from '../types.js';
import { ACT, ACTIVATION_ONLY_OPS, ELEMENTWISE_OPS, NAMED_QCONFIGS, W, commonTail } from './shared.js';

/** CPU and GPU share every entry except Interpolate (spec/algorithms.md §4). */
function baseEntries(): HwOpEntry[] {
  return [
    { type: 'Convolution', activations: ACT, weights: W },
    // Depthwise convolutions are the only ops whose activation inputs may be per-channel.
    { type: 'DepthWiseConvolution', activations: ['q8_a_ch', 'q16_a_ch'], weights: W },
    { type: 'MatMul', activations: ACT, weights: W },
    ...ELEMENTWISE_OPS.map((type) => ({ type, activations: ACT, weights: W })),
    ...ACTIVATION_ONLY_OPS.map((type) => ({ type, activations: ACT })),
  ];
}

export const CPU_HW_CONFIG: HwConfig = {
  name: 'CPU',
  qconfigs: NAMED_QCONFIGS,
  operations: [
    ...baseEntries(),
    { type: 'Interpolate', activations: ['q8_a'] },
    ...commonTail(),
    { type: 'EmbeddingBag' },
  ],
};

export const GPU_HW_CONFIG: HwConfig = {
  name: 'GPU',
  qconfigs: NAMED_QCONFIGS,
  operations: [
    ...baseEntries(),
    { type: 'Interpolate', attributes: { mode: 'linear' }, activations: ACT },
    { type: 'Interpolate', attributes: { mode: 'nearest' } },
    ...commonTail(),
    { type: 'EmbeddingBag' },
  ],
};
