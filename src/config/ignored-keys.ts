/**
 * Keys that validate but that nothing acts on — NNCF ignores or only logs them too — are warnings,
 * so that a user sees their key had no effect: the listed keys below, and unknown keys inside the
 * objects NNCF's schema leaves open (range `params`, per-layer range entries).
 */
import type { ConfigIssue } from './errors.js';
import { childKeys, documentKeys, openObjectForms, type DocumentKey } from './key-paths.js';
import { closestName } from './suggest.js';

export interface WarnedKey {
  /** Schema form of the key (see key-paths.ts). */
  readonly form: string;
  /** Why it has no effect. */
  readonly reason: string;
  /** Only values for which the key would do something are worth a warning (default: any value). */
  readonly when?: (value: unknown) => boolean;
}

const PER_LAYER_RANGE_VALIDATE =
  'NNCF does not read validate_scopes of a per-layer range entry (a scope that matches nothing is not reported)';

const PRUNING_BN = 'filter_pruning runs BatchNorm adaptation only in accuracy-aware training and LeGR, which nncf-ts does not build yet';
const lacks = (key: string) => (value: unknown) => typeof value !== 'object' || value === null || !(key in value);

export const WARNED_KEYS: readonly WarnedKey[] = [
  // one warning per config: on the innermost key written
  { form: 'compression[filter_pruning].initializer', reason: PRUNING_BN, when: lacks('batchnorm_adaptation') },
  { form: 'compression[filter_pruning].initializer.batchnorm_adaptation', reason: PRUNING_BN, when: lacks('num_bn_adaptation_samples') },
  { form: 'compression[filter_pruning].initializer.batchnorm_adaptation.num_bn_adaptation_samples', reason: PRUNING_BN },
  { form: 'bootstrapNAS.training.train_steps', reason: 'NNCF documents train_steps but its code never reads it; an epoch is the training data' },
  {
    form: 'disable_shape_matching',
    reason:
      'deprecated in NNCF, whose code no longer reads it; nncf-ts takes the shapes from the model file, so it changes nothing',
  },
  // quantization and experimental_quantization: one builder, the same keys
  ...['quantization', 'experimental_quantization'].flatMap((name): WarnedKey[] => quantizationWarnedKeys(`compression[${name}]`)),
];

/** Warnings for the listed keys and for unknown keys of open objects. */
export function ignoredKeyWarnings(document: Record<string, unknown>): ConfigIssue[] {
  const byForm = new Map(WARNED_KEYS.map((warned) => [warned.form, warned]));
  const open = openObjectForms();
  const issues: ConfigIssue[] = [];
  for (const key of documentKeys(document)) {
    const warned = byForm.get(key.form);
    if (warned && (warned.when?.(key.value) ?? true)) {
      issues.push({
        kind: 'schema',
        severity: 'warning',
        path: key.at,
        message: `has no effect: ${warned.reason}`,
      });
    }
    const parent = parentForm(key.form);
    if (parent !== undefined && open.has(parent)) issues.push(...unknownInOpenObject(key, parent));
  }
  return issues;
}

function parentForm(form: string): string | undefined {
  const cut = form.lastIndexOf('.');
  return cut < 0 ? undefined : form.slice(0, cut);
}

function unknownInOpenObject(key: DocumentKey, parent: string): ConfigIssue[] {
  const known = childKeys(parent);
  const name = key.form.slice(parent.length + 1);
  if (known.includes(name)) return [];
  return [
    {
      kind: 'schema',
      severity: 'warning',
      path: key.at,
      message: `unknown key "${name}" is ignored: NNCF does not check this object (known here: ${known.join(', ')})`,
      found: `key "${name}"`,
      suggestion: closestName(name, known),
    },
  ];
}

function quantizationWarnedKeys(Q: string): WarnedKey[] {
  return [
    {
      form: `${Q}.initializer.precision.dump_init_precision_data`,
      reason: 'when it is true NNCF writes HAWQ/AutoQ debug data into log_dir; nncf-ts writes none',
      when: (value) => value === true,
    },
    { form: `${Q}.initializer.range[].validate_scopes`, reason: PER_LAYER_RANGE_VALIDATE },
    {
      form: `${Q}.scope_overrides.weights.*.initializer.range[].validate_scopes`,
      reason: PER_LAYER_RANGE_VALIDATE,
    },
    {
      form: `${Q}.scope_overrides.activations.*.initializer.range[].validate_scopes`,
      reason: PER_LAYER_RANGE_VALIDATE,
    },
  ];
}
