/**
 * The top level of an NNCF config is open: training scripts keep their own keys there and NNCF
 * ignores them. So an unknown top-level key is no error — but one that is a near miss of a key
 * something reads ("compresion", "epoch") is almost surely a typo that would silently drop a whole
 * section, and is a warning with the did-you-mean.
 */
import { NNCF_CONFIG_SCHEMA } from './schema/root.js';
import { closestName } from './suggest.js';
import type { ConfigIssue } from './errors.js';

/** Training keys read by nncf-ts's own trainer (src/training/settings.ts). */
export const TRAINING_TOP_LEVEL_KEYS = ['batch_size', 'epochs', 'seed', 'optimizer'] as const;

/**
 * Keys of NNCF's sample training scripts (every top-level key of NNCF's example and test configs that
 * is not an NNCF key). NNCF ignores them and so does nncf-ts; they are known, never typos.
 */
export const NNCF_SAMPLE_SCRIPT_KEYS: readonly string[] = [
  'model',
  'pretrained',
  'dataset',
  'dataset_type',
  'num_classes',
  'preprocessing',
  'multiprocessing_distributed',
  'model_params',
  'export_to_ir_via_onnx',
  'weighing',
  'ssd_params',
  'no_strip_on_export',
  'batchnorm',
  'save_freq',
  'workers',
  'eval_only',
  'weight_decay',
  'test_interval',
  'augmentations',
  'batch_size_val',
  'basenet',
  'disable_tensor_float_32_execution',
  'batch_size_init',
  'print_freq',
  'test_every_n_epochs',
  'max_iter',
  'iter_size',
  'dataset_preprocessing_preset',
  'weights',
  'checkpoint_save_dir',
  'include_mask',
  'architecture',
  'anchor',
  'postprocess',
  'maskrcnn_parser',
  'rpn_head',
  'frcnn_head',
  'mrcnn_head',
  'rpn_score_loss',
  'rpn_box_loss',
  'frcnn_box_loss',
  'roi_proposal',
  'roi_sampling',
  'mask_sampling',
  'resuming_checkpoint',
];

/** Top-level keys that something reads: NNCF's own (the schema's) and nncf-ts's training keys. */
export function readTopLevelKeys(): string[] {
  return [...Object.keys(NNCF_CONFIG_SCHEMA.properties as object), ...TRAINING_TOP_LEVEL_KEYS];
}

/** One warning per unknown top-level key that is a near miss of a read key. */
export function topLevelTypoWarnings(document: Record<string, unknown>): ConfigIssue[] {
  const read = readTopLevelKeys();
  const known = new Set([...read, ...NNCF_SAMPLE_SCRIPT_KEYS]);
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(document)) {
    if (known.has(key)) continue;
    const suggestion = closestName(key, read);
    if (suggestion === undefined) continue;
    issues.push({
      kind: 'schema',
      severity: 'warning',
      path: key,
      message: `unknown top-level key "${key}" is ignored`,
      expected: `a known key such as "${suggestion}"`,
      found: `key "${key}"`,
      suggestion,
    });
  }
  return issues;
}
