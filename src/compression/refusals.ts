/**
 * Config sections that validate (they are NNCF's format) but that nncf-ts cannot build yet. Building
 * refuses them by name: running as if they were absent would hand the user a model they believe is
 * compressed (or trained accuracy-aware) when it is not.
 */
import { NAS_SECTION_NAME, NOT_BUILT_YET, type NNCFConfig } from '../config/index.js';
import { registeredAlgorithms } from './builder.js';

export { NOT_BUILT_YET };

/** A config asks for something nncf-ts does not build; `section` names it as the config does. */
export class CompressionError extends Error {
  override name = 'CompressionError';
  constructor(
    message: string,
    /** The config section refused (`bootstrapNAS`, `accuracy_aware_training`, an algorithm name). */
    readonly section: string,
  ) {
    super(message);
  }
}

/**
 * The sections of a valid document listed in NOT_BUILT_YET, without loading the algorithms
 * (for `validate`, which stays light); `unbuiltSections` asks the registry instead.
 */
export function notBuiltSectionsOf(document: unknown): string[] {
  if (document === null || typeof document !== 'object') return [];
  const doc = document as { compression?: unknown; [key: string]: unknown };
  const entries = doc.compression === undefined ? [] : [doc.compression].flat();
  const names = entries.map((entry) => (entry as { algorithm?: unknown }).algorithm);
  const topLevel = [NAS_SECTION_NAME, 'accuracy_aware_training'].filter((key) => doc[key] !== undefined);
  return [...names, ...topLevel].filter(
    (name): name is string => typeof name === 'string' && name in NOT_BUILT_YET,
  );
}

/** bootstrapNAS is built, as its own training loop: compress and train (createCompressedModel) do not run it. */
export const NAS_ROUTE =
  'use "nncf-ts nas", which trains the supernet by progressive shrinking, searches its subnets and exports the Pareto front (API: createProgressiveShrinking with the Trainer, then searchSubnetsOnData)';

/** The message of one refused section: what, why, and what is built instead. */
export function notBuiltMessage(section: string): string {
  if (section === NAS_SECTION_NAME) return `"${section}" is not run by compress or train: ${NAS_ROUTE}`;
  const why = NOT_BUILT_YET[section] ?? 'no builder is registered for it';
  return `"${section}" is not built yet in nncf-ts: ${why}. Built: ${builtAlgorithmsText()}`;
}

/** Algorithms that really build; a registered factory that only throws would not belong here. */
export function builtAlgorithmsText(): string {
  return registeredAlgorithms().join(', ') || 'none';
}

/** The sections of `config` nncf-ts would have to refuse, in config order. */
export function unbuiltSections(config: NNCFConfig): string[] {
  const built = new Set(registeredAlgorithms());
  const refused = config.algorithms.map((s) => s.algorithm as string).filter((name) => !built.has(name));
  if (config.bootstrapNAS !== undefined) refused.push(NAS_SECTION_NAME);
  return refused;
}

/** Throws a CompressionError naming every section of `config` that is not built yet. */
export function refuseUnbuiltSections(config: NNCFConfig): void {
  const refused = unbuiltSections(config);
  if (refused.length > 0) throw new CompressionError(refused.map((section) => notBuiltMessage(section)).join('\n'), refused[0]);
  refuseQuantizationTwice(config);
}

/**
 * `quantization` and `experimental_quantization` are one builder here (NNCFConfig.algorithms reads the
 * second as the first): both in one config would put two quantizers on every point, which no model wants.
 */
function refuseQuantizationTwice(config: NNCFConfig): void {
  const written = [config.document.compression ?? []].flat().map((s) => (s as { algorithm?: string }).algorithm);
  if (written.includes('quantization') && written.includes('experimental_quantization'))
    throw new CompressionError(
      '"experimental_quantization" and "quantization" in one config: nncf-ts builds experimental_quantization with the quantization pipeline (NNCF\'s experimental builder is its quantization builder under another name), so the model would be quantized twice; keep one of the two sections',
      'experimental_quantization',
    );
}
