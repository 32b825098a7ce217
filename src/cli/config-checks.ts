/**
 * What `compress` and `train` check about a config before any work: its warnings go to stderr
 * (a near-miss key is seen, not dropped), sections that are not built yet are refused by name, and
 * `compress` refuses a config with nothing to compress. `train` without a compression section
 * fine-tunes the FP32 model, as NNCF's sample scripts do.
 */
import { ConfigError, formatIssue, NNCFConfig } from '../config/index.js';
import { UsageError } from './usage-error.js';

export type ConfigCommand = 'compress' | 'train';

/** Reads the --config file; a missing file is a usage error (exit 2) like a missing model, a bad one exit 1. */
export function loadConfigFile(path: string): NNCFConfig {
  try {
    return NNCFConfig.fromFile(path);
  } catch (e) {
    if (e instanceof ConfigError && e.kind === 'file-not-found') throw new UsageError(e.message);
    throw e;
  }
}

export async function checkConfigForCommand(
  config: NNCFConfig,
  command: ConfigCommand,
  stderr: { write(text: string): unknown } = process.stderr,
): Promise<void> {
  for (const warning of config.warnings) stderr.write(`nncf-ts: ${formatIssue(warning, config.file)}\n`);
  // The registry is filled by the algorithm modules: load them before asking what is built.
  await import('../algorithms/index.js');
  const { refuseUnbuiltSections, CompressionError } = await import('../compression/index.js');
  refuseUnbuiltSections(config);
  if (command !== 'compress') return;
  if (config.algorithms.length === 0)
    throw new CompressionError(nothingToCompressMessage(config), 'compression');
  if (config.algorithms.every((section) => section.algorithm === 'knowledge_distillation')) {
    throw new CompressionError(`nothing to compress: ${KD_IN_COMPRESS}`, 'knowledge_distillation');
  }
  for (const line of trainingOnlyWarnings(config)) stderr.write(`nncf-ts: warning: ${line}\n`);
}

const KD_IN_COMPRESS =
  'knowledge_distillation only adds a loss to training, and compress trains nothing (use train)';

/** Keys that act only while training: `compress` says they have no effect rather than dropping them. */
function trainingOnlyWarnings(config: NNCFConfig): string[] {
  const lines: string[] = [];
  if (config.hasAlgorithm('knowledge_distillation'))
    lines.push(`knowledge_distillation has no effect here: ${KD_IN_COMPRESS}`);
  if (config.hasAlgorithm('binarization'))
    lines.push(
      'binarization turns its binarizers on at params.activations_quant_start_epoch / weights_quant_start_epoch (default 1) while training, and compress trains nothing: the export has the binarizers of epoch -1 (on only for start epochs 0, with the activation scale 1 as NNCF before its first training batch); use train',
    );
  if (config.accuracyAwareTraining)
    lines.push('accuracy_aware_training has no effect here: it is a training loop, and compress trains nothing (use train)');
  const multiplier =
    config.document.compression_lr_multiplier !== undefined ||
    config.algorithms.some((section) => 'compression_lr_multiplier' in section);
  if (multiplier) {
    lines.push(
      'compression_lr_multiplier has no effect here: it scales training updates, and compress trains nothing',
    );
  }
  const staged = stagedTrainingKeys(config);
  if (staged.length > 0) {
    lines.push(
      `quantization.params ${staged.join(', ')} have no effect here: they drive training, and compress trains nothing`,
    );
  }
  return lines;
}

/** Staged-QAT keys that shape training only (the start epochs are compress.ts's own warning). */
const STAGED_TRAINING_KEYS = [
  'batch_multiplier',
  'lr_poly_drop_start_epoch',
  'lr_poly_drop_duration_epochs',
  'disable_wd_start_epoch',
  'base_lr',
  'base_wd',
];

function stagedTrainingKeys(config: NNCFConfig): string[] {
  const written = [config.document.compression ?? []].flat() as { algorithm?: string; params?: object }[];
  const params = written.find((section) => section.algorithm === 'quantization' || section.algorithm === 'experimental_quantization')?.params ?? {};
  return STAGED_TRAINING_KEYS.filter((key) => key in params);
}

/** The did-you-mean comes from the config's own typo warnings ("compresion" → "compression"). */
export function nothingToCompressMessage(config: NNCFConfig): string {
  const typo = config.warnings.find((w) => w.suggestion === 'compression');
  const didYouMean = typo ? `; found "${typo.path}" - did you mean "compression"?` : '';
  return (
    `nothing to compress: the config has no "compression" section${didYouMean} ` +
    '(compress needs at least one algorithm; train without one fine-tunes the FP32 model)'
  );
}
