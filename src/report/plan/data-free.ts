/**
 * A plan without data builds what compress/train would build, minus the steps that need data. NNCF
 * without init data skips range init with a warning and the quantizers keep their initial ranges; we do
 * the same and say so. BatchNorm adaptation is skipped likewise. Data-driven precision init (HAWQ,
 * AutoQ) decides the bit widths themselves, so no honest plan exists without data: that is an error.
 */
import { NNCFConfig } from '../../config/index.js';

export class PlanNeedsDataError extends Error {
  override name = 'PlanNeedsDataError';
}

type Mutable = Record<string, unknown>;

/** The config without data-driven initialization, and one note per step it leaves out. */
export function withoutDataDrivenInit(
  config: NNCFConfig,
  hasBatchNorm: boolean,
): { config: NNCFConfig; notes: string[] } {
  const doc = structuredClone(config.document) as Mutable;
  const list = Array.isArray(doc.compression)
    ? (doc.compression as Mutable[])
    : doc.compression
      ? [doc.compression as Mutable]
      : [];
  const notes: string[] = [];
  list.forEach((section, i) => {
    const at = Array.isArray(doc.compression) ? `compression[${i}]` : 'compression';
    // filter_pruning's params are its schedule and it runs no init at build time: nothing needs data
    if (section.algorithm === 'filter_pruning') return;
    const init = section.initializer as Mutable | undefined;
    const resolved = config.algorithms[i] as {
      initializer?: { batchnorm_adaptation?: { num_bn_adaptation_samples?: number } };
    };
    const precision = (init?.precision as { type?: string } | undefined)?.type;
    if (precision === 'hawq' || precision === 'autoq')
      throw new PlanNeedsDataError(
        `${at}.initializer.precision.type "${precision}" chooses the bit widths from data: give --data (with labels) to plan it`,
      );
    if (init?.range !== undefined) {
      delete init.range;
      notes.push(
        `${at}.initializer.range: not run without --data; quantizers keep their initial ranges (as NNCF without init data)`,
      );
    }
    if (section.params !== undefined)
      notes.push(
        `${at}.params: the staged scheduler re-runs range init when a quantizer group turns on; without --data it cannot (NNCF: range initialization will not be done)`,
      );
    const bnSamples = resolved.initializer?.batchnorm_adaptation?.num_bn_adaptation_samples ?? 0;
    if (hasBatchNorm && bnSamples > 0) {
      section.initializer = {
        ...(init ?? {}),
        batchnorm_adaptation: {
          ...((init?.batchnorm_adaptation as Mutable) ?? {}),
          num_bn_adaptation_samples: 0,
        },
      };
      notes.push(
        `${at}.initializer.batchnorm_adaptation: not run without --data (${bnSamples} samples asked)`,
      );
    }
  });
  return { config: NNCFConfig.fromObject(doc), notes };
}
