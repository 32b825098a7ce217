/**
 * With labelled data the CLI can run NNCF's data-driven precision inits without user code: HAWQ gets
 * cross-entropy of the first output as its loss, AutoQ top-1 accuracy on the engine as its score (what
 * NNCF's classification samples register with register_default_init_args).
 */
import { AutoQPrecisionInitArgs, QuantizationPrecisionInitArgs, type NNCFConfig } from '../config/index.js';
import type { Dataset } from '../data/index.js';

export async function registerPrecisionInitArgs(config: NNCFConfig, loader: { dataset: Dataset; batchSize: number }): Promise<void> {
  if (!loader.dataset.y) return;
  const { top1AccuracyOnEngine } = await import('../initialization/index.js');
  if (!config.hasExtraStruct(QuantizationPrecisionInitArgs)) config.registerExtraStructs([new QuantizationPrecisionInitArgs(null, undefined, loader)]);
  if (!config.hasExtraStruct(AutoQPrecisionInitArgs)) config.registerExtraStructs([new AutoQPrecisionInitArgs(loader, top1AccuracyOnEngine)]);
}
