/** Section types after `fillDefaults`: keys with a default are no longer optional. */
import type * as A from './types-algorithms.js';
import type * as C from './types-common.js';
import type * as R from './types-root.js';

/** `T` with keys `K` required (their defaults are filled in). */
export type Filled<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]-?: Exclude<T[P], undefined> };

type Scoped = 'validate_scopes';
export type ResolvedBatchnormAdaptation = Filled<C.BatchnormAdaptationSection, 'num_bn_adaptation_samples'>;
export type ResolvedRangeInit = Filled<C.RangeInitSection, 'num_init_samples' | 'type'>;
export type ResolvedPerLayerRangeInit = Filled<C.PerLayerRangeInitSection, 'num_init_samples' | 'type'>;
export type ResolvedPrecisionInit = Filled<C.PrecisionInitSection, 'type'>;

export interface ResolvedQuantizationInitializer {
  readonly batchnorm_adaptation: ResolvedBatchnormAdaptation;
  readonly range?: ResolvedRangeInit | readonly ResolvedPerLayerRangeInit[];
  readonly precision?: ResolvedPrecisionInit;
}
export interface ResolvedGenericInitializer {
  readonly batchnorm_adaptation: ResolvedBatchnormAdaptation;
}

export type ResolvedQuantization = Filled<
  Omit<A.QuantizationSection, 'initializer' | 'weights' | 'activations' | 'params'>,
  | 'quantize_inputs'
  | 'quantize_outputs'
  | 'export_to_onnx_standard_ops'
  | 'overflow_fix'
  | 'scope_overrides'
  | Scoped
> & {
  readonly initializer: ResolvedQuantizationInitializer;
  readonly weights: Filled<A.QuantizerGroupSection, 'logarithm_scale'>;
  readonly activations: Filled<A.ActivationsGroupSection, 'logarithm_scale'>;
  readonly params?: ResolvedStagedParams;
};

export type ResolvedStagedParams = Filled<
  A.StagedQuantizationParams,
  | 'activations_quant_start_epoch'
  | 'weights_quant_start_epoch'
  | 'lr_poly_drop_duration_epochs'
  | 'base_lr'
  | 'base_wd'
>;

export type ResolvedBinarization = Filled<
  Omit<A.BinarizationSection, 'initializer' | 'params'>,
  'mode' | Scoped
> & {
  readonly initializer: ResolvedQuantizationInitializer;
  readonly params: ResolvedStagedParams;
};

export type ResolvedPruningParams = Filled<
  Omit<A.FilterPruningParams, 'legr_params'>,
  | 'schedule'
  | 'pruning_steps'
  | 'num_init_steps'
  | 'filter_importance'
  | 'interlayer_ranking_type'
  | 'all_weights'
  | 'prune_first_conv'
  | 'prune_downsample_convs'
  | 'prune_batch_norms'
> & { readonly legr_params?: Required<A.LegrParams> };

export type ResolvedFilterPruning = Filled<
  Omit<A.FilterPruningSection, 'initializer' | 'params'>,
  'pruning_init' | Scoped
> & {
  readonly initializer: ResolvedGenericInitializer;
  readonly params: ResolvedPruningParams;
};

type SparsityParamKeys = Exclude<keyof A.SparsityParams, 'steps_per_epoch'>;
export type ResolvedMagnitudeSparsity = Filled<
  Omit<A.MagnitudeSparsitySection, 'initializer' | 'params'>,
  'sparsity_init' | Scoped
> & {
  readonly initializer: ResolvedGenericInitializer;
  readonly params: Filled<
    NonNullable<A.MagnitudeSparsitySection['params']>,
    SparsityParamKeys | 'weight_importance'
  >;
};
export type ResolvedRBSparsity = Filled<Omit<A.RBSparsitySection, 'params'>, 'sparsity_init' | Scoped> & {
  readonly params: Filled<A.SparsityParams, SparsityParamKeys>;
};
export type ResolvedConstSparsity = Filled<A.ConstSparsitySection, Scoped>;
export type ResolvedMovementSparsity = Filled<Omit<A.MovementSparsitySection, 'params'>, Scoped> & {
  readonly params?: Filled<
    A.MovementParams,
    'enable_structured_masking' | 'power' | 'final_importance_threshold'
  >;
};
export type ResolvedKnowledgeDistillation = Filled<A.KnowledgeDistillationSection, 'scale'>;

export type ResolvedAlgorithmSection =
  | ResolvedQuantization
  | ResolvedBinarization
  | ResolvedFilterPruning
  | ResolvedMagnitudeSparsity
  | ResolvedRBSparsity
  | ResolvedConstSparsity
  | ResolvedMovementSparsity
  | ResolvedKnowledgeDistillation;

export type ResolvedAccuracyAwareTraining = R.AccuracyAwareTrainingSection;

/** The resolved section type of each algorithm name. */
export interface ResolvedSectionByName {
  quantization: ResolvedQuantization;
  experimental_quantization: ResolvedQuantization;
  binarization: ResolvedBinarization;
  filter_pruning: ResolvedFilterPruning;
  magnitude_sparsity: ResolvedMagnitudeSparsity;
  rb_sparsity: ResolvedRBSparsity;
  const_sparsity: ResolvedConstSparsity;
  movement_sparsity: ResolvedMovementSparsity;
  knowledge_distillation: ResolvedKnowledgeDistillation;
}
