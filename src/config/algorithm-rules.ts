/** Rules NNCF's algorithm builders enforce on single compression entries. */
import type { ConfigIssue } from './errors.js';
import type { NNCFConfigDocument } from './types-root.js';
import type { AlgorithmSection, QuantizationSection, BinarizationSection } from './types-algorithms.js';
import type { PerLayerRangeInitSection, RangeInitSection } from './types-common.js';
import { isNpu } from './names.js';

export interface Entry {
  readonly section: AlgorithmSection;
  /** `compression[1]` or `compression` when the section is a single object. */
  readonly path: string;
}

export function rule(path: string, message: string, extra: Partial<ConfigIssue> = {}): ConfigIssue {
  return { kind: 'rule', severity: 'error', path, message, ...extra };
}

export function checkEntry({ section, path }: Entry, doc: NNCFConfigDocument): ConfigIssue[] {
  switch (section.algorithm) {
    case 'quantization':
    case 'experimental_quantization':
      return [...presetOnNpu(section, path, doc), ...initializerRules(section, path, doc)];
    case 'binarization':
      return initializerRules(section, path, doc);
    case 'knowledge_distillation':
      return section.type === 'mse' && section.temperature !== undefined
        ? [
            rule(
              `${path}.temperature`,
              'temperature is only used by the "softmax" distillation type, not "mse"',
              {
                expected: 'no temperature with type "mse"',
                found: `temperature ${section.temperature}`,
                hint: 'remove "temperature" or use "type": "softmax"',
              },
            ),
          ]
        : [];
    case 'filter_pruning':
      return pruningRules(section.params ?? {}, `${path}.params`);
    case 'magnitude_sparsity':
    case 'rb_sparsity':
      return multistepRule(section.params ?? {}, `${path}.params`);
    case 'movement_sparsity':
      return movementRules(section, path);
    default:
      return [];
  }
}

function presetOnNpu(section: QuantizationSection, path: string, doc: NNCFConfigDocument): ConfigIssue[] {
  if (section.preset === undefined || !isNpu(doc.target_device)) return [];
  return [
    rule(`${path}.preset`, 'The NPU target device does not support presets', {
      expected: 'no preset with target_device NPU',
      found: `preset "${section.preset}"`,
      hint: 'remove "preset": on NPU the quantization modes come from the hardware config',
    }),
  ];
}

function initializerRules(
  section: QuantizationSection | BinarizationSection,
  path: string,
  doc: NNCFConfigDocument,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const initializer = section.initializer ?? {};
  const range = initializer.range;
  const ranges: [RangeInitSection | PerLayerRangeInitSection, string][] = Array.isArray(range)
    ? (range as PerLayerRangeInitSection[]).map((r, i) => [r, `${path}.initializer.range[${i}]`])
    : range !== undefined
      ? [[range as RangeInitSection, `${path}.initializer.range`]]
      : [];
  for (const [entry, at] of ranges) {
    if (entry.num_init_samples !== undefined && entry.num_init_samples < 0) {
      issues.push(
        rule(`${at}.num_init_samples`, 'the number of range-init samples must not be negative', {
          expected: 'a number >= 0',
          found: `number ${entry.num_init_samples}`,
        }),
      );
    }
    if (
      Array.isArray(range) &&
      (entry as PerLayerRangeInitSection).target_scopes === undefined &&
      (entry as PerLayerRangeInitSection).ignored_scopes === undefined
    ) {
      issues.push(
        rule(at, 'each per-layer range initializer must specify target_scopes or ignored_scopes', {
          expected: 'target_scopes or ignored_scopes',
          found: 'neither',
        }),
      );
    }
  }
  const precision = initializer.precision;
  if (precision?.type === 'autoq' && !(isNpu(doc.target_device) || doc.target_device === 'TRIAL')) {
    issues.push(
      rule(
        `${path}.initializer.precision.type`,
        'AutoQ precision initialization requires target_device NPU or TRIAL',
        { expected: 'target_device NPU or TRIAL', found: `target_device "${doc.target_device ?? 'ANY'}"` },
      ),
    );
  }
  return issues;
}

function pruningRules(
  params: NonNullable<Extract<AlgorithmSection, { algorithm: 'filter_pruning' }>['params']>,
  at: string,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (params.pruning_target && params.pruning_flops_target) {
    issues.push(
      rule(`${at}.pruning_flops_target`, 'only one of pruning_target and pruning_flops_target can be set', {
        expected: 'pruning_target or pruning_flops_target',
        found: 'both',
      }),
    );
  }
  if (params.interlayer_ranking_type === 'learned_ranking' && params.all_weights === false) {
    issues.push(
      rule(`${at}.all_weights`, 'learned_ranking (LeGR) ranks filters globally and needs all_weights true', {
        expected: 'all_weights true (or absent)',
        found: 'boolean false',
      }),
    );
  }
  return issues;
}

function multistepRule(
  params: {
    schedule?: string;
    multistep_steps?: readonly number[];
    multistep_sparsity_levels?: readonly number[];
  },
  at: string,
): ConfigIssue[] {
  if (params.schedule !== 'multistep') return [];
  const steps = params.multistep_steps?.length ?? 1;
  const levels = params.multistep_sparsity_levels?.length ?? 2;
  if (levels === steps + 1) return [];
  return [
    rule(
      `${at}.multistep_sparsity_levels`,
      'the multistep scheduler needs one more sparsity level than steps',
      { expected: `${steps + 1} levels for ${steps} steps`, found: `${levels} levels` },
    ),
  ];
}

function movementRules(
  section: Extract<AlgorithmSection, { algorithm: 'movement_sparsity' }>,
  path: string,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const params = section.params;
  if (params && params.importance_regularization_factor < 0) {
    issues.push(
      rule(
        `${path}.params.importance_regularization_factor`,
        'importance_regularization_factor must not be negative',
        { expected: 'a number >= 0', found: `number ${params.importance_regularization_factor}` },
      ),
    );
  }
  if (params && params.warmup_start_epoch < 1 && params.steps_per_epoch === undefined) {
    issues.push(
      rule(
        `${path}.params.steps_per_epoch`,
        'steps_per_epoch is required when warmup_start_epoch is below 1',
        { expected: 'steps_per_epoch', found: 'nothing' },
      ),
    );
  }
  (section.sparse_structure_by_scopes ?? []).forEach((structure, i) => {
    const at = `${path}.sparse_structure_by_scopes[${i}]`;
    if (structure.mode === 'block' && structure.sparse_factors === undefined) {
      issues.push(
        rule(`${at}.sparse_factors`, 'mode "block" requires sparse_factors', {
          expected: 'sparse_factors',
          found: 'nothing',
        }),
      );
    }
    if (structure.mode === 'per_dim' && structure.axis === undefined) {
      issues.push(rule(`${at}.axis`, 'mode "per_dim" requires axis', { expected: 'axis', found: 'nothing' }));
    }
  });
  return issues;
}

export function nasRules(doc: NNCFConfigDocument): ConfigIssue[] {
  const width = doc.bootstrapNAS?.training?.elasticity?.width;
  if (width?.filter_importance === 'external' && width.external_importance_path === undefined) {
    return [
      rule(
        'bootstrapNAS.training.elasticity.width.external_importance_path',
        'filter_importance "external" requires external_importance_path',
        { expected: 'external_importance_path', found: 'nothing' },
      ),
    ];
  }
  return [];
}
