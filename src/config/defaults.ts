/**
 * Every default of the NNCF config format, with the value NNCF uses (its `defaults.py`, or the
 * algorithm code where the schema is silent). `fillDefaults` and the typed accessors read these;
 * nothing else in the project should hard-code a config default.
 */

export const TOP_LEVEL_DEFAULTS = {
  target_device: 'ANY',
  disable_shape_matching: false,
} as const;

/** `validate_scopes` of every algorithm with scope keys. */
export const VALIDATE_SCOPES_DEFAULT = true;

export const BATCHNORM_ADAPTATION_DEFAULTS = { num_bn_adaptation_samples: 2000 } as const;

export const RANGE_INIT_DEFAULTS = { num_init_samples: 256, type: 'mixed_min_max' } as const;
/** Only used by the `percentile` and `mean_percentile` range types; values are percents. */
export const RANGE_INIT_PERCENTILE_DEFAULTS = { min_percentile: 0.1, max_percentile: 99.9 } as const;

/** A `precision` section without `type` means manual bitwidths. */
export const PRECISION_INIT_TYPE_DEFAULT = 'manual';
export const HAWQ_DEFAULTS = {
  bits: [2, 4, 8],
  num_data_points: 100,
  iter_number: 200,
  tolerance: 1e-4,
  compression_ratio: 1.5,
  dump_init_precision_data: false,
  bitwidth_assignment_mode: 'liberal',
} as const;
export const AUTOQ_DEFAULTS = {
  bits: [2, 4, 8],
  iter_number: 0,
  compression_ratio: 0.15,
  eval_subset_ratio: 1.0,
  warmup_iter_number: 20,
  dump_init_precision_data: false,
} as const;

/** `preset` only applies to ANY/CPU/GPU/CPU_SPR; on TRIAL only when given, on NPU it is an error. */
export const QUANTIZATION_DEFAULTS = {
  preset: 'performance',
  quantize_inputs: true,
  quantize_outputs: false,
  // NNCF's default is false (OpenVINO FakeQuantize). nncf-ts users run ONNX Runtime, which cannot load
  // FakeQuantize, so an absent key means QDQ here; only an explicit false writes FakeQuantize (and warns).
  export_to_onnx_standard_ops: true,
  overflow_fix: 'enable',
} as const;
export const QUANTIZER_GROUP_DEFAULTS = { logarithm_scale: false } as const;

/** Staged quantization scheduler (`params`), also binarization's scheduler. */
export const STAGED_QUANTIZATION_DEFAULTS = {
  activations_quant_start_epoch: 1,
  weights_quant_start_epoch: 1,
  lr_poly_drop_duration_epochs: 30,
  base_lr: 1e-3,
  base_wd: 1e-5,
} as const;

export const BINARIZATION_DEFAULTS = { mode: 'xnor' } as const;

export const FILTER_PRUNING_DEFAULTS = { pruning_init: 0.0 } as const;
export const FILTER_PRUNING_PARAMS_DEFAULTS = {
  schedule: 'exponential',
  pruning_target: 0.5,
  pruning_steps: 100,
  num_init_steps: 0,
  filter_importance: 'L2',
  interlayer_ranking_type: 'unweighted_ranking',
  all_weights: false,
  prune_first_conv: false,
  prune_downsample_convs: false,
  prune_batch_norms: true,
} as const;
/** With `learned_ranking` (LeGR) these three default to true instead. */
export const LEARNED_RANKING_PARAMS_DEFAULTS = {
  all_weights: true,
  prune_first_conv: true,
  prune_downsample_convs: true,
} as const;
/** `max_pruning` has no constant: the code uses the scheduler's target level when it is absent. */
export const LEGR_DEFAULTS = {
  generations: 400,
  train_steps: 200,
  random_seed: 42,
  population_size: 64,
  num_samples: 16,
  mutate_percent: 0.1,
  scale_sigma: 1,
} as const;
/** What the schema text documents for `max_pruning`; kept for reference, not applied. */
export const LEGR_MAX_PRUNING_SCHEMA_DEFAULT = 0.8;

export const SPARSITY_DEFAULTS = { sparsity_init: 0.0 } as const;
export const SPARSITY_PARAMS_DEFAULTS = {
  sparsity_level_setting_mode: 'global',
  sparsity_target: 0.5,
  sparsity_target_epoch: 90,
  sparsity_freeze_epoch: 100,
  update_per_optimizer_step: false,
  multistep_steps: [90],
  multistep_sparsity_levels: [0.1, 0.5],
  patience: 1,
  power: 0.9,
  concave: true,
} as const;
export const SPARSITY_SCHEDULE_DEFAULTS = {
  magnitude_sparsity: 'polynomial',
  rb_sparsity: 'exponential',
} as const;
export const MAGNITUDE_WEIGHT_IMPORTANCE_DEFAULT = 'normed_abs';
/** Read by the adaptive sparsity scheduler; not settable through a valid config. */
export const ADAPTIVE_SPARSITY_SCHEDULER_DEFAULTS = { step: 0.05, eps: 0.03 } as const;

export const MOVEMENT_PARAMS_DEFAULTS = {
  enable_structured_masking: true,
  power: 3.0,
  final_importance_threshold: 0.0,
} as const;

export const KNOWLEDGE_DISTILLATION_DEFAULTS = { scale: 1.0 } as const;
/** Only meaningful (and only allowed) with the `softmax` type. */
export const KNOWLEDGE_DISTILLATION_TEMPERATURE_DEFAULT = 1.0;

export const ADAPTIVE_COMPRESSION_LEVEL_DEFAULTS = {
  initial_compression_rate_step: 0.1,
  compression_rate_step_reduction_factor: 0.5,
  lr_reduction_factor: 0.5,
  minimal_compression_rate_step: 0.025,
  maximal_total_epochs: 10000,
} as const;
/** Code fallbacks for keys the schema requires; shown for reference by the typed accessors. */
export const ACCURACY_AWARE_CODE_DEFAULTS = {
  maximal_total_epochs: 10000,
  initial_training_phase_epochs: 5,
  patience_epochs: 3,
  maximal_relative_accuracy_degradation: 1.0,
} as const;

export const NAS_TRAINING_DEFAULTS = {
  algorithm: 'progressive_shrinking',
  progressivity_of_elasticity: ['kernel', 'depth', 'width'],
} as const;
export const NAS_STAGE_DEFAULTS = {
  train_dims: ['kernel'],
  epochs: 1,
  depth_indicator: 1,
  width_indicator: 1,
  reorg_weights: false,
  bn_adapt: false,
  sample_rate: 1,
} as const;
/** Stage LR used when neither a global lr_schedule nor the stage's init_lr is given. */
export const NAS_STAGE_INIT_LR_DEFAULT = 3.5e-6;
export const NAS_GLOBAL_BASE_LR_DEFAULT = 3.4e-4;
export const NAS_ELASTICITY_DEFAULTS = { available_elasticity_dims: ['width', 'depth', 'kernel'] } as const;
/** The code default importance is L1, although the schema text says L2. */
export const NAS_WIDTH_DEFAULTS = {
  min_width: 32,
  max_num_widths: -1,
  width_step: 32,
  filter_importance: 'L1',
} as const;
export const NAS_DEPTH_DEFAULTS = { min_block_size: 5, max_block_size: 50, hw_fused_ops: true } as const;
export const NAS_KERNEL_DEFAULTS = { max_num_kernels: -1 } as const;
export const NAS_SEARCH_DEFAULTS = {
  algorithm: 'NSGA2',
  num_evals: 3000,
  num_constraints: 0,
  population: 40,
  crossover_prob: 0.9,
  crossover_eta: 10.0,
  mutation_prob: 0.02,
  mutation_eta: 3.0,
  acc_delta: 1,
  ref_acc: -1,
  epsilon: 0.001,
  extreme_points_as_ref_points: false,
} as const;
/** Code default of `aspiration_points`; the schema types the key as number[], so it is not filled. */
export const NAS_SEARCH_ASPIRATION_POINTS_CODE_DEFAULT = [[0, 0]] as const;
