/** Top-level config shape, accuracy-aware training and NAS sections as written in JSON. */
import type { BatchnormAdaptationSection, InputInfoSection, ScopePatterns } from './types-common.js';
import type { AlgorithmSection, KnowledgeDistillationSection } from './types-algorithms.js';
import type { TargetDevice } from './names.js';

export interface AccuracyAwareParams {
  readonly maximal_relative_accuracy_degradation?: number;
  readonly maximal_absolute_accuracy_degradation?: number;
  readonly maximal_total_epochs?: number;
  readonly initial_training_phase_epochs?: number;
  readonly patience_epochs?: number;
  readonly initial_compression_rate_step?: number;
  readonly compression_rate_step_reduction_factor?: number;
  readonly lr_reduction_factor?: number;
  readonly minimal_compression_rate_step?: number;
}

export interface AccuracyAwareTrainingSection {
  readonly mode: 'early_exit' | 'adaptive_compression_level';
  readonly params: AccuracyAwareParams;
}

export interface NasStageDescriptor {
  readonly train_dims?: readonly string[];
  readonly epochs?: number;
  readonly depth_indicator?: number;
  readonly width_indicator?: number;
  readonly reorg_weights?: boolean;
  readonly bn_adapt?: boolean;
  readonly init_lr?: number;
  readonly epochs_lr?: number;
  readonly sample_rate?: number;
}

export interface NasElasticitySection {
  readonly available_elasticity_dims?: readonly string[];
  readonly ignored_scopes?: ScopePatterns;
  readonly target_scopes?: ScopePatterns;
  readonly width?: {
    readonly min_width?: number;
    readonly max_num_widths?: number;
    readonly width_step?: number;
    readonly width_multipliers?: readonly number[];
    readonly filter_importance?: string;
    readonly external_importance_path?: string;
  };
  readonly depth?: {
    readonly skipped_blocks?: readonly (readonly string[])[];
    readonly min_block_size?: number;
    readonly max_block_size?: number;
    readonly hw_fused_ops?: boolean;
  };
  readonly kernel?: { readonly max_num_kernels?: number };
}

export interface NasTrainingSection {
  readonly algorithm?: 'progressive_shrinking';
  readonly progressivity_of_elasticity?: readonly string[];
  readonly batchnorm_adaptation?: BatchnormAdaptationSection;
  readonly schedule?: { readonly list_stage_descriptions?: readonly NasStageDescriptor[] };
  readonly elasticity?: NasElasticitySection;
  readonly lr_schedule?: { readonly params?: { readonly base_lr?: number } };
  readonly train_steps?: number;
  /** Knowledge distillation from the supernet during progressive shrinking (NNCF reads it; its schema omits it). */
  readonly compression?: KnowledgeDistillationSection | readonly KnowledgeDistillationSection[];
}

export interface NasSearchSection {
  readonly algorithm?: 'NSGA2' | 'RNSGA2';
  readonly batchnorm_adaptation?: BatchnormAdaptationSection;
  readonly num_evals?: number;
  readonly num_constraints?: number;
  readonly population?: number;
  readonly crossover_prob?: number;
  readonly crossover_eta?: number;
  readonly mutation_prob?: number;
  readonly mutation_eta?: number;
  readonly acc_delta?: number;
  readonly ref_acc?: number;
  readonly aspiration_points?: readonly (number | readonly number[])[];
  readonly epsilon?: number;
  readonly weights?: number;
  readonly extreme_points_as_ref_points?: boolean;
  readonly compression?: KnowledgeDistillationSection | readonly KnowledgeDistillationSection[];
}

export interface BootstrapNasSection {
  readonly training?: NasTrainingSection;
  readonly search?: NasSearchSection;
}

/** A whole config document. Unknown top-level keys (training-script settings) are kept. */
export interface NNCFConfigDocument {
  readonly input_info?: InputInfoSection | readonly InputInfoSection[];
  readonly target_device?: TargetDevice;
  readonly compression?: AlgorithmSection | readonly AlgorithmSection[];
  readonly accuracy_aware_training?: AccuracyAwareTrainingSection;
  readonly compression_lr_multiplier?: number;
  readonly disable_shape_matching?: boolean;
  readonly log_dir?: string;
  readonly bootstrapNAS?: BootstrapNasSection;
  readonly [extra: string]: unknown;
}
