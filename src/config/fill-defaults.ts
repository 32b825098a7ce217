/**
 * The config with every default NNCF would use filled in. Only defaults that do not change the
 * meaning are added: absent `range`, `precision` or quantization `params` stay absent (their mere
 * presence switches behaviour on), and no key is added that a rule would then reject.
 */
import * as D from './defaults.js';
import { compressionEntries } from './rules.js';
import { isNpu } from './names.js';
import type { NNCFConfigDocument, BootstrapNasSection, AccuracyAwareTrainingSection } from './types-root.js';
import type { AlgorithmSection, QuantizationSection, FilterPruningSection } from './types-algorithms.js';
import type {
  QuantizationInitializerSection,
  RangeInitSection,
  PerLayerRangeInitSection,
  PrecisionInitSection,
} from './types-common.js';

type Obj = Record<string, unknown>;

/** User keys first (in their order), then the defaults they left out. */
function fill<T extends object>(section: T | undefined, defaults: object): T {
  const result: Obj = { ...(section ?? {}) };
  for (const [key, value] of Object.entries(defaults)) {
    if (!Object.prototype.hasOwnProperty.call(result, key)) result[key] = structuredClone(value);
  }
  return result as T;
}

export function fillDefaults(doc: NNCFConfigDocument): NNCFConfigDocument {
  const entries = compressionEntries(doc).map(({ section }) => fillAlgorithm(section, doc));
  const result: Obj = fill(doc, D.TOP_LEVEL_DEFAULTS);
  if (doc.compression !== undefined)
    result.compression = Array.isArray(doc.compression) ? entries : entries[0];
  if (doc.accuracy_aware_training)
    result.accuracy_aware_training = fillAccuracyAware(doc.accuracy_aware_training);
  if (doc.bootstrapNAS) result.bootstrapNAS = fillNas(doc.bootstrapNAS);
  return result as NNCFConfigDocument;
}

export function fillAlgorithm(section: AlgorithmSection, doc: NNCFConfigDocument): AlgorithmSection {
  const scoped = (s: object) => fill(s, { validate_scopes: D.VALIDATE_SCOPES_DEFAULT }) as AlgorithmSection;
  switch (section.algorithm) {
    case 'quantization':
    case 'experimental_quantization':
      return scoped(fillQuantization(section, doc));
    case 'binarization':
      return scoped({
        ...fill(section, D.BINARIZATION_DEFAULTS),
        initializer: fillInitializer(section.initializer),
        params: fill(section.params, D.STAGED_QUANTIZATION_DEFAULTS), // binarization is always staged
      });
    case 'filter_pruning':
      return scoped({
        ...fill(section, D.FILTER_PRUNING_DEFAULTS),
        initializer: fillBn(section.initializer),
        params: fillPruningParams(section.params ?? {}),
      });
    case 'magnitude_sparsity':
      return scoped({
        ...fill(section, D.SPARSITY_DEFAULTS),
        initializer: fillBn(section.initializer),
        params: fill(section.params, {
          ...D.SPARSITY_PARAMS_DEFAULTS,
          schedule: D.SPARSITY_SCHEDULE_DEFAULTS.magnitude_sparsity,
          weight_importance: D.MAGNITUDE_WEIGHT_IMPORTANCE_DEFAULT,
        }),
      });
    case 'rb_sparsity':
      return scoped({
        ...fill(section, D.SPARSITY_DEFAULTS),
        params: fill(section.params, {
          ...D.SPARSITY_PARAMS_DEFAULTS,
          schedule: D.SPARSITY_SCHEDULE_DEFAULTS.rb_sparsity,
        }),
      });
    case 'const_sparsity':
      return scoped(section);
    case 'movement_sparsity':
      return scoped(
        section.params ? { ...section, params: fill(section.params, D.MOVEMENT_PARAMS_DEFAULTS) } : section,
      );
    case 'knowledge_distillation':
      return fill(
        section,
        section.type === 'softmax'
          ? {
              ...D.KNOWLEDGE_DISTILLATION_DEFAULTS,
              temperature: D.KNOWLEDGE_DISTILLATION_TEMPERATURE_DEFAULT,
            }
          : D.KNOWLEDGE_DISTILLATION_DEFAULTS,
      );
  }
}

function fillQuantization(section: QuantizationSection, doc: NNCFConfigDocument): QuantizationSection {
  const device = doc.target_device ?? D.TOP_LEVEL_DEFAULTS.target_device;
  // The preset is applied on ANY/CPU/GPU only: forbidden on NPU, opt-in on TRIAL.
  const { preset, ...rest } = D.QUANTIZATION_DEFAULTS;
  const defaults = isNpu(device) || device === 'TRIAL' ? rest : { preset, ...rest };
  const { params: _emptyOrStaged, ...filledSection } = fill(section, defaults);
  return {
    ...filledSection,
    initializer: fillInitializer(section.initializer),
    weights: fill(section.weights, D.QUANTIZER_GROUP_DEFAULTS),
    activations: fill(section.activations, D.QUANTIZER_GROUP_DEFAULTS),
    scope_overrides: section.scope_overrides ?? {},
    // NNCF stages quantization only when bool(params): an empty `params` is no staged scheduler at all.
    ...(section.params && Object.keys(section.params).length > 0 ? { params: fill(section.params, D.STAGED_QUANTIZATION_DEFAULTS) } : {}),
  };
}

function fillBn<T extends { batchnorm_adaptation?: object }>(initializer: T | undefined): T {
  const result = { ...(initializer ?? {}) } as T;
  return {
    ...result,
    batchnorm_adaptation: fill(result.batchnorm_adaptation, D.BATCHNORM_ADAPTATION_DEFAULTS),
  };
}

function fillInitializer(
  initializer: QuantizationInitializerSection | undefined,
): QuantizationInitializerSection {
  const result: QuantizationInitializerSection = fillBn(initializer);
  const range = result.range;
  return {
    ...result,
    ...(range !== undefined
      ? { range: Array.isArray(range) ? range.map(fillRange) : fillRange(range as RangeInitSection) }
      : {}),
    ...(result.precision !== undefined ? { precision: fillPrecision(result.precision) } : {}),
  };
}

function fillRange<T extends RangeInitSection | PerLayerRangeInitSection>(range: T): T {
  const filled = fill(range, D.RANGE_INIT_DEFAULTS);
  if (filled.type !== 'percentile' && filled.type !== 'mean_percentile') return filled;
  return { ...filled, params: fill(filled.params, D.RANGE_INIT_PERCENTILE_DEFAULTS) };
}

function fillPrecision(precision: PrecisionInitSection): PrecisionInitSection {
  const typed = fill(precision, { type: D.PRECISION_INIT_TYPE_DEFAULT });
  if (typed.type === 'hawq') return fill(typed, D.HAWQ_DEFAULTS);
  if (typed.type === 'autoq') return fill(typed, D.AUTOQ_DEFAULTS);
  return typed;
}

function fillPruningParams(
  params: NonNullable<FilterPruningSection['params']>,
): FilterPruningSection['params'] {
  const learned = params.interlayer_ranking_type === 'learned_ranking';
  const base: Obj = {
    ...D.FILTER_PRUNING_PARAMS_DEFAULTS,
    ...(learned ? D.LEARNED_RANKING_PARAMS_DEFAULTS : {}),
  };
  // A FLOPs target replaces the filter target; filling both would be the error NNCF raises.
  if (params.pruning_flops_target) delete base.pruning_target;
  const filled = fill(params, base);
  if (!learned) return filled;
  const targetLevel =
    params.pruning_flops_target || (filled.pruning_target ?? D.FILTER_PRUNING_PARAMS_DEFAULTS.pruning_target);
  return {
    ...filled,
    legr_params: fill(params.legr_params, { ...D.LEGR_DEFAULTS, max_pruning: targetLevel }),
  };
}

function fillAccuracyAware(section: AccuracyAwareTrainingSection): AccuracyAwareTrainingSection {
  if (section.mode !== 'adaptive_compression_level') return section;
  return { ...section, params: fill(section.params, D.ADAPTIVE_COMPRESSION_LEVEL_DEFAULTS) };
}

function fillNas(nas: BootstrapNasSection): BootstrapNasSection {
  const result: Obj = { ...nas };
  if (nas.training) {
    const training = nas.training;
    const elasticity = training.elasticity ?? {};
    result.training = {
      ...fill(training, D.NAS_TRAINING_DEFAULTS),
      batchnorm_adaptation: fill(training.batchnorm_adaptation, D.BATCHNORM_ADAPTATION_DEFAULTS),
      ...(training.schedule?.list_stage_descriptions
        ? {
            schedule: {
              ...training.schedule,
              list_stage_descriptions: training.schedule.list_stage_descriptions.map((stage) =>
                fill(stage, D.NAS_STAGE_DEFAULTS),
              ),
            },
          }
        : {}),
      elasticity: {
        ...fill(elasticity, D.NAS_ELASTICITY_DEFAULTS),
        width: fill(elasticity.width, D.NAS_WIDTH_DEFAULTS),
        depth: fill(elasticity.depth, D.NAS_DEPTH_DEFAULTS),
        kernel: fill(elasticity.kernel, D.NAS_KERNEL_DEFAULTS),
      },
      ...(training.lr_schedule
        ? {
            lr_schedule: {
              ...training.lr_schedule,
              params: fill(training.lr_schedule.params, { base_lr: D.NAS_GLOBAL_BASE_LR_DEFAULT }),
            },
          }
        : {}),
    };
  }
  if (nas.search) {
    result.search = {
      ...fill(nas.search, D.NAS_SEARCH_DEFAULTS),
      batchnorm_adaptation: fill(nas.search.batchnorm_adaptation, D.BATCHNORM_ADAPTATION_DEFAULTS),
    };
  }
  return result as BootstrapNasSection;
}
