/** Config section shapes as written in JSON (optional keys stay optional). */

export type ScopePatterns = string | readonly string[];

export interface ScopingSection {
  readonly ignored_scopes?: ScopePatterns;
  readonly target_scopes?: ScopePatterns;
  readonly validate_scopes?: boolean;
}

export interface BatchnormAdaptationSection {
  readonly num_bn_adaptation_samples?: number;
}

export interface RangeInitParams {
  readonly min_percentile?: number;
  readonly max_percentile?: number;
  readonly [extra: string]: unknown;
}

export type RangeInitType =
  'mixed_min_max' | 'min_max' | 'mean_min_max' | 'threesigma' | 'percentile' | 'mean_percentile';

export interface RangeInitSection {
  readonly num_init_samples?: number;
  readonly type?: RangeInitType;
  readonly params?: RangeInitParams;
}

export interface PerLayerRangeInitSection extends RangeInitSection, ScopingSection {
  readonly target_quantizer_group?: 'activations' | 'weights';
  readonly [extra: string]: unknown;
}

export type BitwidthScopePair = readonly [number, string];

export interface PrecisionInitSection {
  readonly type?: 'hawq' | 'autoq' | 'manual';
  readonly bits?: readonly number[];
  readonly num_data_points?: number;
  readonly iter_number?: number;
  readonly tolerance?: number;
  readonly compression_ratio?: number;
  readonly eval_subset_ratio?: number;
  readonly warmup_iter_number?: number;
  readonly bitwidth_per_scope?: readonly BitwidthScopePair[];
  readonly traces_per_layer_path?: string;
  readonly dump_init_precision_data?: boolean;
  readonly bitwidth_assignment_mode?: 'strict' | 'liberal';
}

export interface QuantizationInitializerSection {
  readonly batchnorm_adaptation?: BatchnormAdaptationSection;
  readonly range?: RangeInitSection | readonly PerLayerRangeInitSection[];
  readonly precision?: PrecisionInitSection;
}

export interface GenericInitializerSection {
  readonly batchnorm_adaptation?: BatchnormAdaptationSection;
}

export interface InputInfoSection {
  readonly sample_size?: readonly number[];
  readonly type?: string;
  readonly filler?: string;
  readonly keyword?: string;
}
