/** Names and enumerations of the NNCF config format, shared by the schema, the rules and the types. */

/** Values accepted in `compression[].algorithm`, in NNCF's registry order. */
export const ALGORITHM_NAMES = [
  'quantization',
  'experimental_quantization',
  'binarization',
  'filter_pruning',
  'magnitude_sparsity',
  'rb_sparsity',
  'const_sparsity',
  'movement_sparsity',
  'knowledge_distillation',
] as const;
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];

/** NAS is configured by the top-level `bootstrapNAS` key, never by a compression entry. */
export const NAS_SECTION_NAME = 'bootstrapNAS';

/** `VPU` is the pre-2.9 spelling of `NPU`; both are accepted and mean the same device. */
export const TARGET_DEVICES = ['ANY', 'CPU', 'GPU', 'NPU', 'VPU', 'TRIAL', 'CPU_SPR'] as const;
export type TargetDevice = (typeof TARGET_DEVICES)[number];

export function isNpu(device: string | undefined): boolean {
  return device === 'NPU' || device === 'VPU';
}

/** Algorithms whose compression level the adaptive accuracy-aware loop can vary. */
export const ADAPTIVE_CAPABLE_ALGORITHMS: readonly AlgorithmName[] = [
  'magnitude_sparsity',
  'rb_sparsity',
  'filter_pruning',
];
export const SPARSITY_ALGORITHMS: readonly AlgorithmName[] = [
  'magnitude_sparsity',
  'rb_sparsity',
  'const_sparsity',
  'movement_sparsity',
];

export const QUANTIZATION_PRESETS = ['performance', 'mixed'] as const;
export const QUANTIZATION_MODES = ['symmetric', 'asymmetric'] as const;
export const OVERFLOW_FIX_MODES = ['enable', 'disable', 'first_layer_only'] as const;
export const RANGE_INIT_TYPES = [
  'mixed_min_max',
  'min_max',
  'mean_min_max',
  'threesigma',
  'percentile',
  'mean_percentile',
] as const;
export const QUANTIZER_GROUPS = ['activations', 'weights'] as const;
export const PRECISION_INIT_TYPES = ['hawq', 'autoq', 'manual'] as const;
export const BITWIDTH_ASSIGNMENT_MODES = ['strict', 'liberal'] as const;
export const BINARIZATION_MODES = ['xnor', 'dorefa'] as const;

export const PRUNING_SCHEDULES = ['exponential', 'exponential_with_bias', 'baseline'] as const;
export const FILTER_IMPORTANCE_TYPES = ['L2', 'L1', 'geometric_median'] as const;
export const INTERLAYER_RANKING_TYPES = ['unweighted_ranking', 'learned_ranking'] as const;

export const SPARSITY_SCHEDULES = ['polynomial', 'exponential', 'adaptive', 'multistep'] as const;
export const WEIGHT_IMPORTANCE_TYPES = ['abs', 'normed_abs'] as const;
export const MOVEMENT_STRUCTURE_MODES = ['fine', 'block', 'per_dim'] as const;

export const DISTILLATION_TYPES = ['mse', 'softmax'] as const;

export const ACCURACY_AWARE_MODES = ['early_exit', 'adaptive_compression_level'] as const;
export const DEGRADATION_KEYS = [
  'maximal_relative_accuracy_degradation',
  'maximal_absolute_accuracy_degradation',
] as const;

export const NAS_TRAINING_ALGORITHMS = ['progressive_shrinking'] as const;
export const NAS_SEARCH_ALGORITHMS = ['NSGA2', 'RNSGA2'] as const;
export const ELASTICITY_DIMS = ['width', 'depth', 'kernel'] as const;
export const NAS_WIDTH_IMPORTANCE_TYPES = ['L1', 'L2', 'geometric_median', 'external'] as const;
