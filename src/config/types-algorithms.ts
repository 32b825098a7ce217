/** Compression algorithm sections as written in JSON. */
import type {
  ScopingSection,
  ScopePatterns,
  QuantizationInitializerSection,
  GenericInitializerSection,
  RangeInitSection,
  PerLayerRangeInitSection,
} from './types-common.js';

export interface QuantizerConfigSection {
  readonly mode?: 'symmetric' | 'asymmetric';
  readonly bits?: number;
  readonly signed?: boolean;
  readonly per_channel?: boolean;
}

export interface QuantizerGroupSection extends QuantizerConfigSection, ScopingSection {
  readonly logarithm_scale?: boolean;
}

export interface ActivationsGroupSection extends QuantizerGroupSection {
  readonly unified_scale_ops?: readonly (readonly string[])[];
}

export interface ScopeOverrideSection extends QuantizerConfigSection {
  readonly initializer?: { readonly range?: RangeInitSection | readonly PerLayerRangeInitSection[] };
}

export interface StagedQuantizationParams {
  readonly batch_multiplier?: number;
  readonly activations_quant_start_epoch?: number;
  readonly weights_quant_start_epoch?: number;
  readonly lr_poly_drop_start_epoch?: number;
  readonly lr_poly_drop_duration_epochs?: number;
  readonly disable_wd_start_epoch?: number;
  readonly base_lr?: number;
  readonly base_wd?: number;
}

export interface QuantizationSection extends ScopingSection {
  readonly algorithm: 'quantization' | 'experimental_quantization';
  readonly initializer?: QuantizationInitializerSection;
  readonly preset?: 'performance' | 'mixed';
  readonly quantize_inputs?: boolean;
  readonly quantize_outputs?: boolean;
  readonly weights?: QuantizerGroupSection;
  readonly activations?: ActivationsGroupSection;
  readonly scope_overrides?: {
    readonly weights?: Readonly<Record<string, ScopeOverrideSection>>;
    readonly activations?: Readonly<Record<string, ScopeOverrideSection>>;
  };
  readonly export_to_onnx_standard_ops?: boolean;
  readonly overflow_fix?: 'enable' | 'disable' | 'first_layer_only';
  readonly params?: StagedQuantizationParams;
  readonly compression_lr_multiplier?: number;
}

export interface BinarizationSection extends ScopingSection {
  readonly algorithm: 'binarization';
  readonly mode?: 'xnor' | 'dorefa';
  readonly initializer?: QuantizationInitializerSection;
  readonly params?: StagedQuantizationParams;
  readonly compression_lr_multiplier?: number;
}

export interface LegrParams {
  readonly generations?: number;
  readonly train_steps?: number;
  readonly max_pruning?: number;
  readonly random_seed?: number;
  readonly population_size?: number;
  readonly num_samples?: number;
  readonly mutate_percent?: number;
  readonly scale_sigma?: number;
}

export interface FilterPruningParams {
  readonly schedule?: 'exponential' | 'exponential_with_bias' | 'baseline';
  readonly pruning_target?: number;
  readonly pruning_flops_target?: number;
  readonly pruning_steps?: number;
  readonly num_init_steps?: number;
  readonly filter_importance?: 'L2' | 'L1' | 'geometric_median';
  readonly interlayer_ranking_type?: 'unweighted_ranking' | 'learned_ranking';
  readonly all_weights?: boolean;
  readonly prune_first_conv?: boolean;
  readonly prune_downsample_convs?: boolean;
  readonly prune_batch_norms?: boolean;
  readonly legr_params?: LegrParams;
  readonly save_ranking_coeffs_path?: string;
  readonly load_ranking_coeffs_path?: string;
}

export interface FilterPruningSection extends ScopingSection {
  readonly algorithm: 'filter_pruning';
  readonly initializer?: GenericInitializerSection;
  readonly pruning_init?: number;
  readonly params?: FilterPruningParams;
}

export interface SparsityParams {
  readonly sparsity_level_setting_mode?: string;
  readonly schedule?: 'polynomial' | 'exponential' | 'adaptive' | 'multistep';
  readonly sparsity_target?: number;
  readonly sparsity_target_epoch?: number;
  readonly sparsity_freeze_epoch?: number;
  readonly update_per_optimizer_step?: boolean;
  readonly steps_per_epoch?: number;
  readonly multistep_steps?: readonly number[];
  readonly multistep_sparsity_levels?: readonly number[];
  readonly patience?: number;
  readonly power?: number;
  readonly concave?: boolean;
}

export interface MagnitudeSparsitySection extends ScopingSection {
  readonly algorithm: 'magnitude_sparsity';
  readonly sparsity_init?: number;
  readonly initializer?: GenericInitializerSection;
  readonly params?: SparsityParams & { readonly weight_importance?: 'abs' | 'normed_abs' };
}

export interface RBSparsitySection extends ScopingSection {
  readonly algorithm: 'rb_sparsity';
  readonly sparsity_init?: number;
  readonly params?: SparsityParams;
  readonly compression_lr_multiplier?: number;
}

export interface ConstSparsitySection extends ScopingSection {
  readonly algorithm: 'const_sparsity';
}

export interface MovementParams {
  readonly warmup_start_epoch: number;
  readonly warmup_end_epoch: number;
  readonly importance_regularization_factor: number;
  readonly enable_structured_masking?: boolean;
  readonly power?: number;
  readonly init_importance_threshold?: number;
  readonly final_importance_threshold?: number;
  readonly steps_per_epoch?: number;
}

export interface SparseStructureSection {
  readonly mode: 'fine' | 'block' | 'per_dim';
  readonly sparse_factors?: readonly number[];
  readonly axis?: number;
  readonly target_scopes: ScopePatterns;
}

export interface MovementSparsitySection extends ScopingSection {
  readonly algorithm: 'movement_sparsity';
  readonly params?: MovementParams;
  readonly sparse_structure_by_scopes?: readonly SparseStructureSection[];
  readonly compression_lr_multiplier?: number;
}

export interface KnowledgeDistillationSection {
  readonly algorithm: 'knowledge_distillation';
  readonly type: 'mse' | 'softmax';
  readonly scale?: number;
  readonly temperature?: number;
}

export type AlgorithmSection =
  | QuantizationSection
  | BinarizationSection
  | FilterPruningSection
  | MagnitudeSparsitySection
  | RBSparsitySection
  | ConstSparsitySection
  | MovementSparsitySection
  | KnowledgeDistillationSection;
