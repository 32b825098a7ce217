/**
 * "No silent keys": for every key path the schema accepts (key-paths.ts), what happens to it — the
 * src/ file that reads and honours it, the file that refuses it by name, or the warning saying it has
 * no effect. test/config/key-readers.test.ts walks the schema, fails on a path missing here, and checks
 * that each named file exists and spells the key (outside comments), so this table cannot drift.
 */
import { NOT_BUILT_SECTIONS } from './not-built-sections.js';

export type KeyTreatment =
  | {
      readonly kind: 'read';
      readonly file: string;
      /** The name the file spells, when not the key's own (e.g. a getter of NNCFConfig). */
      readonly literal?: string;
      /** The key reaches its user through a getter: this file must spell the getter's name. */
      readonly via?: { readonly file: string; readonly literal: string };
    }
  | {
      readonly kind: 'refused';
      readonly file: string;
      readonly literal?: string;
      readonly reason: string;
      readonly via?: { readonly file: string; readonly literal: string };
    }
  | { readonly kind: 'warned'; readonly file: string; readonly reason: string };

const QUANT = 'src/algorithms/quantization';
const ADAPTER = `${QUANT}/config-adapter.ts`;
const BUILDER = `${QUANT}/builder.ts`;
const RANGE_CONFIG = 'src/initialization/range/range-init-config.ts';
const COLLECTOR = 'src/initialization/range/create-collector.ts';
const IGNORED = 'src/config/ignored-keys.ts';
const CONFIG = 'src/config/nncf-config.ts';

const read = (file: string, extra: Partial<Extract<KeyTreatment, { kind: 'read' }>> = {}): KeyTreatment => ({
  kind: 'read',
  file,
  ...extra,
});
const warned = (reason: string): KeyTreatment => ({ kind: 'warned', file: IGNORED, reason });
const PER_LAYER_VALIDATE = warned('NNCF does not read validate_scopes of a per-layer range entry');

/** `initializer.range` in both forms (one object, or a list of per-layer entries). */
function rangeKeys(range: string): Record<string, KeyTreatment> {
  const one = (at: string): Record<string, KeyTreatment> => ({
    [`${at}.num_init_samples`]: read(RANGE_CONFIG),
    [`${at}.type`]: read(RANGE_CONFIG),
    [`${at}.params`]: read(RANGE_CONFIG),
    [`${at}.params.min_percentile`]: read(COLLECTOR),
    [`${at}.params.max_percentile`]: read(COLLECTOR),
  });
  return {
    ...one(range),
    ...one(`${range}[]`),
    [`${range}[].ignored_scopes`]: read(RANGE_CONFIG),
    [`${range}[].target_scopes`]: read(RANGE_CONFIG),
    [`${range}[].target_quantizer_group`]: read(RANGE_CONFIG),
    [`${range}[].validate_scopes`]: PER_LAYER_VALIDATE,
  };
}

/** A quantizer group (`weights`, `activations`) of quantization. */
function groupKeys(group: string): Record<string, KeyTreatment> {
  const keys = [
    'mode',
    'bits',
    'signed',
    'per_channel',
    'ignored_scopes',
    'target_scopes',
    'validate_scopes',
  ];
  return {
    [group]: read(ADAPTER),
    ...Object.fromEntries(keys.map((key) => [`${group}.${key}`, read(ADAPTER)])),
    [`${group}.logarithm_scale`]: read(ADAPTER),
  };
}

/** One scope override (`scope_overrides.weights.<scope>`). */
function overrideKeys(at: string): Record<string, KeyTreatment> {
  return {
    [`${at}.mode`]: read(ADAPTER),
    [`${at}.bits`]: read(ADAPTER),
    [`${at}.signed`]: read(ADAPTER),
    [`${at}.per_channel`]: read(ADAPTER),
    [`${at}.initializer`]: read('src/initialization/range-init/collect.ts'),
    [`${at}.initializer.range`]: read('src/initialization/range-init/collect.ts'),
    ...rangeKeys(`${at}.initializer.range`),
  };
}

const AA = 'src/training/accuracy-aware/params.ts';
const AAT = 'accuracy_aware_training';
const AA_PARAMS = [
  'maximal_relative_accuracy_degradation',
  'maximal_absolute_accuracy_degradation',
  'maximal_total_epochs',
  'initial_training_phase_epochs',
  'patience_epochs',
  'initial_compression_rate_step',
  'compression_rate_step_reduction_factor',
  'lr_reduction_factor',
  'minimal_compression_rate_step',
];
const SP = 'src/algorithms/sparsity';
const SCHED = `${SP}/schedulers.ts`;

/** ignored/target/validate scopes of a sparsity section: read where the sparsified layers are chosen. */
function scopeKeys(at: string, file: string): Record<string, KeyTreatment> {
  return { [`${at}.ignored_scopes`]: read(file), [`${at}.target_scopes`]: read(file), [`${at}.validate_scopes`]: read(file) };
}

/** The common sparsity `params` (scheduler keys) of magnitude and RB sparsity. */
function sparsityParamKeys(at: string, controller: string): Record<string, KeyTreatment> {
  return {
    [`${at}.params`]: read(controller),
    [`${at}.params.sparsity_level_setting_mode`]: read(`${SP}/base-controller.ts`, { literal: 'sparsity_level_setting_mode' }),
    [`${at}.params.schedule`]: read(SCHED),
    [`${at}.params.sparsity_target`]: read(SCHED),
    [`${at}.params.sparsity_target_epoch`]: read(SCHED),
    [`${at}.params.sparsity_freeze_epoch`]: read(SCHED),
    [`${at}.params.update_per_optimizer_step`]: read(SCHED),
    [`${at}.params.steps_per_epoch`]: read(SCHED),
    [`${at}.params.multistep_steps`]: read(SCHED),
    [`${at}.params.multistep_sparsity_levels`]: read(SCHED),
    [`${at}.params.patience`]: read(SCHED),
    [`${at}.params.power`]: read(SCHED),
    [`${at}.params.concave`]: read(SCHED),
    [`${at}.sparsity_init`]: read(SCHED),
    [`${at}.algorithm`]: read('src/compression/create.ts'),
  };
}

function magnitudeKeys(): Record<string, KeyTreatment> {
  const at = 'compression[magnitude_sparsity]';
  return {
    ...sparsityParamKeys(at, `${SP}/magnitude/builder.ts`),
    ...scopeKeys(at, `${SP}/layers.ts`),
    [`${at}.params.weight_importance`]: read(`${SP}/magnitude/builder.ts`),
    [`${at}.initializer`]: read(`${SP}/magnitude/builder.ts`),
    [`${at}.initializer.batchnorm_adaptation`]: read(`${SP}/magnitude/builder.ts`),
    [`${at}.initializer.batchnorm_adaptation.num_bn_adaptation_samples`]: read(`${SP}/magnitude/builder.ts`),
  };
}

const MV = 'compression[movement_sparsity]';
const MV_DIR = `${SP}/movement`;
function movementKeys(): Record<string, KeyTreatment> {
  const params = ['warmup_start_epoch', 'warmup_end_epoch', 'importance_regularization_factor', 'enable_structured_masking', 'power', 'init_importance_threshold', 'final_importance_threshold', 'steps_per_epoch'];
  return {
    [`${MV}.algorithm`]: read('src/compression/create.ts'),
    [`${MV}.params`]: read(`${MV_DIR}/params.ts`),
    ...Object.fromEntries(params.map((k) => [`${MV}.params.${k}`, read(`${MV_DIR}/params.ts`)])),
    [`${MV}.sparse_structure_by_scopes`]: read(`${MV_DIR}/builder.ts`),
    ...Object.fromEntries(['mode', 'sparse_factors', 'axis', 'target_scopes'].map((k) => [`${MV}.sparse_structure_by_scopes[].${k}`, read(`${MV_DIR}/params.ts`)])),
    ...scopeKeys(MV, `${MV_DIR}/layers.ts`),
    [`${MV}.compression_lr_multiplier`]: read(CONFIG, { via: { file: `${MV_DIR}/builder.ts`, literal: 'compressionLrMultiplier' } }),
  };
}

const BIN = 'compression[binarization]';
const BIN_DIR = 'src/algorithms/binarization';
function binarizationKeys(): Record<string, KeyTreatment> {
  return {
    [`${BIN}.algorithm`]: read('src/compression/create.ts'),
    [`${BIN}.mode`]: read(`${BIN_DIR}/builder.ts`),
    [`${BIN}.ignored_scopes`]: read(`${BIN_DIR}/layers.ts`),
    [`${BIN}.target_scopes`]: read(`${BIN_DIR}/layers.ts`),
    [`${BIN}.validate_scopes`]: read(`${BIN_DIR}/layers.ts`),
    [`${BIN}.compression_lr_multiplier`]: read(CONFIG, { via: { file: `${BIN_DIR}/builder.ts`, literal: 'compressionLrMultiplier' } }),
    [`${BIN}.params`]: read(`${QUANT}/staged-scheduler.ts`),
    [`${BIN}.params.activations_quant_start_epoch`]: read(`${QUANT}/staged-scheduler.ts`),
    [`${BIN}.params.weights_quant_start_epoch`]: read(`${QUANT}/staged-scheduler.ts`),
    [`${BIN}.params.batch_multiplier`]: read('src/training/settings.ts'),
    [`${BIN}.params.lr_poly_drop_start_epoch`]: read('src/training/staged-lr-policy.ts'),
    [`${BIN}.params.lr_poly_drop_duration_epochs`]: read('src/training/staged-lr-policy.ts'),
    [`${BIN}.params.disable_wd_start_epoch`]: read('src/training/staged-lr-policy.ts'),
    [`${BIN}.params.base_lr`]: read('src/training/settings.ts'),
    [`${BIN}.params.base_wd`]: read('src/training/settings.ts'),
    // NNCF's binarization builder runs no initialization (its initialize() is empty): the whole section is refused
    [`${BIN}.initializer`]: {
      kind: 'refused',
      file: `${BIN_DIR}/builder.ts`,
      literal: 'initializer',
      reason: "NNCF's binarization runs no initializer (BN adaptation, range, precision) — its initialize() is empty",
    },
  };
}

const Q = 'compression[quantization]';
const KD = 'compression[knowledge_distillation]';

export const KEY_READERS: Readonly<Record<string, KeyTreatment>> = {
  input_info: read('src/compression/input-info.ts'),
  'input_info.sample_size': read('src/compression/input-info.ts'),
  'input_info.type': read('src/compression/input-info.ts'),
  'input_info.filler': read('src/compression/input-info.ts'),
  'input_info.keyword': read('src/compression/input-info.ts'),
  target_device: read(`${QUANT}/placement/settings.ts`),
  compression: read(CONFIG, { via: { file: 'src/compression/create.ts', literal: 'algorithms' } }),
  compression_lr_multiplier: read(CONFIG, { via: { file: BUILDER, literal: 'compressionLrMultiplier' } }),
  disable_shape_matching: warned(
    'deprecated in NNCF and read by none of its code; nncf-ts takes shapes from the model',
  ),
  log_dir: read('src/cli/log-dir.ts'),

  ...quantizationKeys(Q),
  // the same builder and readers (NNCFConfig.algorithms reads the section as quantization)
  ...quantizationKeys('compression[experimental_quantization]'),

  [AAT]: read(AA),
  [`${AAT}.mode`]: read(AA),
  [`${AAT}.params`]: read(AA),
  ...Object.fromEntries(AA_PARAMS.map((key) => [`${AAT}.params.${key}`, read(AA)])),
  ...magnitudeKeys(),
  ...sparsityParamKeys('compression[rb_sparsity]', `${SP}/rb/builder.ts`),
  ...scopeKeys('compression[rb_sparsity]', `${SP}/layers.ts`),
  'compression[rb_sparsity].compression_lr_multiplier': read(CONFIG, { via: { file: `${SP}/rb/builder.ts`, literal: 'compressionLrMultiplier' } }),
  ...scopeKeys('compression[const_sparsity]', 'src/algorithms/sparsity/layers.ts'),
  'compression[const_sparsity].algorithm': read('src/compression/create.ts'),

  ...movementKeys(),
  ...binarizationKeys(),

  [`${KD}.algorithm`]: read('src/compression/create.ts'),
  [`${KD}.type`]: read('src/algorithms/distillation/builder.ts'),
  [`${KD}.scale`]: read('src/algorithms/distillation/builder.ts'),
  [`${KD}.temperature`]: read('src/algorithms/distillation/builder.ts'),

  ...pruningKeys(),
  ...nasKeys(),

  // Whole sections that are not built yet: building refuses each by name, so every key inside is refused.
  ...Object.fromEntries(
    NOT_BUILT_SECTIONS.map((section): [string, KeyTreatment] => [
      `compression[${section}]`,
      {
        kind: 'refused',
        file: 'src/config/not-built-sections.ts',
        literal: section,
        reason: 'not built yet',
        via: { file: 'src/compression/refusals.ts', literal: 'NOT_BUILT_YET' },
      },
    ]),
  ),
};

/** The treatment of a schema path: its own entry, or the refused section that contains it. */
export function treatmentOf(path: string): { entry: string; treatment: KeyTreatment } | undefined {
  for (let at = path; at !== ''; at = parentOf(at)) {
    const treatment = KEY_READERS[at];
    if (treatment && (at === path || treatment.kind === 'refused')) return { entry: at, treatment };
  }
  return undefined;
}

function parentOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}

/** filter_pruning: read by the pruning builder; LeGR (learned_ranking) parameters by its search. */
function pruningKeys(): Record<string, KeyTreatment> {
  const BN_WARNING = 'filter_pruning runs BatchNorm adaptation only in accuracy-aware training, not built yet (NNCF\'s LeGR runs none)';
  const FP = 'compression[filter_pruning]';
  const B = 'src/algorithms/pruning/builder.ts';
  const params = ['schedule', 'pruning_target', 'pruning_flops_target', 'pruning_steps', 'num_init_steps', 'filter_importance', 'all_weights', 'prune_first_conv', 'prune_downsample_convs', 'prune_batch_norms'];
  return {
    [`${FP}.algorithm`]: read('src/compression/create.ts'),
    [`${FP}.pruning_init`]: read(B),
    [`${FP}.params`]: read(B),
    ...Object.fromEntries(params.map((k) => [`${FP}.params.${k}`, read(B)])),
    [`${FP}.params.interlayer_ranking_type`]: read(B),
    [`${FP}.params.legr_params`]: read(B),
    ...Object.fromEntries(['generations', 'train_steps', 'max_pruning', 'random_seed', 'population_size', 'num_samples', 'mutate_percent', 'scale_sigma'].map((k) => [`${FP}.params.legr_params.${k}`, read(B)])),
    [`${FP}.params.save_ranking_coeffs_path`]: read(B),
    [`${FP}.params.load_ranking_coeffs_path`]: read(B),
    [`${FP}.ignored_scopes`]: read(B),
    [`${FP}.target_scopes`]: read(B),
    [`${FP}.validate_scopes`]: read(B),
    [`${FP}.initializer`]: warned(BN_WARNING),
    [`${FP}.initializer.batchnorm_adaptation`]: warned(BN_WARNING),
    [`${FP}.initializer.batchnorm_adaptation.num_bn_adaptation_samples`]: warned(BN_WARNING),
  };
}

/** bootstrapNAS: training by createProgressiveShrinking (from-config.ts) and its stages; search by search/params.ts. */
function nasKeys(): Record<string, KeyTreatment> {
  const NAS = 'src/algorithms/nas';
  const FROM = `${NAS}/from-config.ts`;
  const T = 'bootstrapNAS.training';
  const S = 'bootstrapNAS.search';
  const WIDTH = `${NAS}/elastic-width/width-list.ts`;
  const PARAMS = `${NAS}/search/params.ts`;
  const stageKeys = ['train_dims', 'epochs', 'depth_indicator', 'width_indicator', 'reorg_weights', 'bn_adapt', 'init_lr', 'epochs_lr', 'sample_rate'];
  const searchKeys = ['algorithm', 'num_evals', 'population', 'crossover_prob', 'crossover_eta', 'mutation_prob', 'mutation_eta', 'acc_delta', 'ref_acc', 'aspiration_points', 'epsilon', 'weights', 'extreme_points_as_ref_points', 'batchnorm_adaptation'];
  const KD_IN_SEARCH = 'knowledge distillation while evaluating subnets is not built';
  return {
    bootstrapNAS: read(FROM),
    [T]: read(FROM),
    ...Object.fromEntries(['algorithm', 'progressivity_of_elasticity', 'batchnorm_adaptation', 'schedule', 'elasticity', 'lr_schedule'].map((k) => [`${T}.${k}`, read(FROM)])),
    [`${T}.batchnorm_adaptation.num_bn_adaptation_samples`]: read(FROM),
    [`${T}.schedule.list_stage_descriptions`]: read(FROM),
    ...Object.fromEntries(stageKeys.map((k) => [`${T}.schedule.list_stage_descriptions[].${k}`, read(`${NAS}/training/stages.ts`)])),
    ...Object.fromEntries(['available_elasticity_dims', 'ignored_scopes', 'target_scopes', 'width', 'depth', 'kernel'].map((k) => [`${T}.elasticity.${k}`, read(FROM)])),
    ...Object.fromEntries(['min_width', 'max_num_widths', 'width_step', 'width_multipliers'].map((k) => [`${T}.elasticity.width.${k}`, read(WIDTH)])),
    [`${T}.elasticity.width.filter_importance`]: read(`${NAS}/elastic-width/handler.ts`),
    [`${T}.elasticity.width.external_importance_path`]: {
      kind: 'refused',
      file: `${NAS}/elastic-width/handler.ts`,
      reason: 'filter_importance "external" reads a PyTorch tensor file',
    },
    ...Object.fromEntries(['skipped_blocks', 'min_block_size', 'max_block_size', 'hw_fused_ops'].map((k) => [`${T}.elasticity.depth.${k}`, read(FROM)])),
    [`${T}.elasticity.kernel.max_num_kernels`]: read(FROM),
    [`${T}.lr_schedule.params`]: read(FROM),
    [`${T}.lr_schedule.params.base_lr`]: read(FROM),
    // knowledge distillation from the supernet during progressive shrinking (distillationParams)
    ...Object.fromEntries(['compression', 'compression.algorithm', 'compression.type', 'compression.scale', 'compression.temperature'].map((k) => [`${T}.${k}`, read(FROM)])),
    [`${T}.train_steps`]: warned('NNCF documents train_steps but its code never reads it; an epoch is the training data'),
    [S]: read(PARAMS),
    ...Object.fromEntries(searchKeys.map((k) => [`${S}.${k}`, read(PARAMS)])),
    [`${S}.batchnorm_adaptation.num_bn_adaptation_samples`]: read(PARAMS),
    [`${S}.num_constraints`]: { kind: 'refused', file: PARAMS, reason: 'constrained search is not built (0 only)' },
    [`${S}.compression`]: { kind: 'refused', file: PARAMS, reason: KD_IN_SEARCH },
    ...Object.fromEntries(['algorithm', 'type', 'scale', 'temperature'].map((k) => [`${S}.compression.${k}`, { kind: 'refused', file: PARAMS, literal: 'compression', reason: KD_IN_SEARCH } as KeyTreatment])),
  };
}

/** Every key of a quantization section (`quantization`, and `experimental_quantization`, built the same). */
function quantizationKeys(Q: string): Record<string, KeyTreatment> {
  const precision = `${Q}.initializer.precision`;
  return {
    [`${Q}.algorithm`]: Q === 'compression[quantization]' ? read('src/compression/create.ts') : read(CONFIG, { literal: 'experimental_quantization' }),
    [`${Q}.initializer`]: read(BUILDER),
    [`${Q}.initializer.batchnorm_adaptation`]: read(BUILDER),
    [`${Q}.initializer.batchnorm_adaptation.num_bn_adaptation_samples`]: read(BUILDER),
    [`${Q}.initializer.range`]: read(BUILDER),
    ...rangeKeys(`${Q}.initializer.range`),
    [precision]: read(BUILDER),
    [`${precision}.type`]: read(BUILDER),
    [`${precision}.bits`]: read(`${QUANT}/precision-hawq.ts`),
    [`${precision}.num_data_points`]: read(BUILDER),
    [`${precision}.iter_number`]: read(BUILDER),
    [`${precision}.tolerance`]: read(BUILDER),
    [`${precision}.compression_ratio`]: read(`${QUANT}/precision-hawq.ts`),
    [`${precision}.eval_subset_ratio`]: read(`${QUANT}/precision-autoq.ts`),
    [`${precision}.warmup_iter_number`]: read(`${QUANT}/precision-autoq.ts`),
    [`${precision}.bitwidth_per_scope`]: read(`${QUANT}/precision-manual.ts`),
    [`${precision}.traces_per_layer_path`]: {
      kind: 'refused',
      file: BUILDER,
      reason: 'NNCF stores the traces as a torch tensor file; HAWQ refuses the key and estimates the traces',
    },
    [`${precision}.dump_init_precision_data`]: warned('NNCF writes debug data when true; nncf-ts writes none'),
    [`${precision}.bitwidth_assignment_mode`]: read(`${QUANT}/precision-hawq.ts`),
    [`${Q}.preset`]: read(ADAPTER),
    [`${Q}.quantize_inputs`]: read(ADAPTER),
    [`${Q}.quantize_outputs`]: read(ADAPTER),
    ...groupKeys(`${Q}.weights`),
    ...groupKeys(`${Q}.activations`),
    [`${Q}.activations.unified_scale_ops`]: read(ADAPTER),
    [`${Q}.scope_overrides`]: read(ADAPTER),
    [`${Q}.scope_overrides.weights`]: read(ADAPTER),
    [`${Q}.scope_overrides.activations`]: read(ADAPTER),
    ...overrideKeys(`${Q}.scope_overrides.weights.*`),
    ...overrideKeys(`${Q}.scope_overrides.activations.*`),
    // Absent means QDQ here (defaults.ts; NNCF: FakeQuantize); an explicit false is warned about (export-format-warning.ts).
    [`${Q}.export_to_onnx_standard_ops`]: read(BUILDER),
    [`${Q}.overflow_fix`]: read(`${QUANT}/overflow-fix.ts`),
    [`${Q}.params`]: read(`${QUANT}/staged-scheduler.ts`),
    [`${Q}.params.batch_multiplier`]: read('src/training/settings.ts'),
    [`${Q}.params.activations_quant_start_epoch`]: read(`${QUANT}/staged-scheduler.ts`),
    [`${Q}.params.weights_quant_start_epoch`]: read(`${QUANT}/staged-scheduler.ts`),
    [`${Q}.params.lr_poly_drop_start_epoch`]: read('src/training/staged-lr-policy.ts'),
    [`${Q}.params.lr_poly_drop_duration_epochs`]: read('src/training/staged-lr-policy.ts'),
    [`${Q}.params.disable_wd_start_epoch`]: read('src/training/staged-lr-policy.ts'),
    [`${Q}.params.base_lr`]: read('src/training/settings.ts'),
    [`${Q}.params.base_wd`]: read('src/training/settings.ts'),
    [`${Q}.ignored_scopes`]: read(ADAPTER),
    [`${Q}.target_scopes`]: read(ADAPTER),
    [`${Q}.validate_scopes`]: read(ADAPTER),
    [`${Q}.compression_lr_multiplier`]: read(CONFIG, {
      via: { file: BUILDER, literal: 'compressionLrMultiplier' },
    }),
  };
}
