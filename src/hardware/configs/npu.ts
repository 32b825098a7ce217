import type { HwConfig, HwOpEntry } from '../types.js';
import { ACT, ACTIVATION_ONLY_OPS, ELEMENTWISE_OPS, EMBEDDING_WEIGHTS, NAMED_QCONFIGS, W, commonTail } from './shared.js';

/** Elementwise ops that also take 4-bit per-tensor inputs on NPU. */
const FOUR_BIT_ELEMENTWISE: ReadonlySet<string> = new Set(['Add', 'Multiply', 'Maximum', 'Minimum', 'Subtract']);

function elementwise(type: string): HwOpEntry {
  const four = FOUR_BIT_ELEMENTWISE.has(type);
  return {
    type,
    activations: four ? [...ACT, 'q4_tn'] : ACT,
    weights: four ? [...W, 'q4_tn'] : W,
    // NPU unifies the input scales of every binary elementwise/comparison/logical op but LogicalNot.
    unifiedScales: type !== 'LogicalNot',
  };
}

export const NPU_HW_CONFIG: HwConfig = {
  name: 'NPU',
  qconfigs: NAMED_QCONFIGS,
  operations: [
    { type: 'Convolution', activations: [...ACT, 'q4_tn'], weights: [...W, 'q4_w', 'q2_w'], adjustPadding: true },
    { type: 'DepthWiseConvolution', activations: ['q8_a_ch', 'q16_a_ch'], weights: [...W, 'q4_w', 'q2_w'] },
    { type: 'MatMul', activations: [...ACT, 'q4_tn'], weights: [...W, 'q4_w', 'q2_w'] },
    ...ELEMENTWISE_OPS.map(elementwise),
    ...ACTIVATION_ONLY_OPS.map((type) => ({ type, activations: ACT })),
    { type: 'Interpolate', attributes: { mode: 'linear' }, activations: ACT },
    { type: 'Interpolate', attributes: { mode: 'nearest' } },
    ...commonTail(),
    { type: 'EmbeddingBag', weights: EMBEDDING_WEIGHTS },
  ],
};
