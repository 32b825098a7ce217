/**
 * What `compress` and `train` check about a config before any work: its warnings go to stderr
 * (a near-miss key is seen, not dropped), sections that are not built yet are refused by name, and
 * `compress` refuses a config with nothing to compress. `train` without a compression section
 * fine-tunes the FP32 model, as NNCF's sample scripts do.
 */
import { formatIssue, type NNCFConfig } from '../config/index.js';

export type ConfigCommand = 'compress' | 'train';

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
  if (command === 'compress' && config.algorithms.length === 0) {
    throw new CompressionError(nothingToCompressMessage(config), 'compression');
  }
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
