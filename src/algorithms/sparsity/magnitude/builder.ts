import type { BuildContext, CompressedModel, CompressionAlgorithmBuilder, CompressionController } from '../../../compression/index.js';
import type { NNCFConfig, ResolvedAlgorithmSection, ResolvedMagnitudeSparsity } from '../../../config/index.js';
import { parseMode, SparsityConfigError } from '../base-controller.js';
import { sparsifiableLayers } from '../layers.js';
import { MaskedWeight } from '../mask.js';
import { MagnitudeSparsityController } from './controller.js';

/** Inserts a binary mask on every sparsifiable weight; the controller sets them from the magnitudes. */
export class MagnitudeSparsityBuilder implements CompressionAlgorithmBuilder {
  readonly name = 'magnitude_sparsity';
  readonly priority = -1;
  private masked: MaskedWeight[] = [];

  constructor(
    readonly section: ResolvedMagnitudeSparsity,
    readonly config: NNCFConfig,
  ) {
    parseMode(this.name, section.params.sparsity_level_setting_mode);
    if (section.params.schedule === 'adaptive')
      throw new SparsityConfigError('magnitude_sparsity.params.schedule "adaptive" follows the RB loss; NNCF supports it for rb_sparsity only');
  }

  apply(model: CompressedModel, _ctx: BuildContext): void {
    const layers = sparsifiableLayers(model.graph, model.engine, this.section, this.name);
    this.masked = layers.map((l) => new MaskedWeight(l, model.engine, this.name));
    for (const m of this.masked) model.apply(m.command(this.name));
  }

  async buildController(model: CompressedModel, _ctx: BuildContext): Promise<CompressionController> {
    const p = this.section.params;
    return new MagnitudeSparsityController(model, this.masked, {
      mode: parseMode(this.name, p.sparsity_level_setting_mode),
      weightImportance: p.weight_importance,
      // as NNCF, the adaptation runs only when asked for (setSparsityLevelAndAdaptBatchNorm), not at build
      bnAdaptation: { config: this.config, numSamples: this.section.initializer.batchnorm_adaptation.num_bn_adaptation_samples },
      scheduler: { ...p, sparsity_init: this.section.sparsity_init },
    });
  }

  getBuilderState(): Record<string, unknown> {
    return { sparsified_layers: this.masked.map((m) => m.name) };
  }
}

export function magnitudeSparsityFactory(section: ResolvedAlgorithmSection, config: NNCFConfig): MagnitudeSparsityBuilder {
  if (section.algorithm !== 'magnitude_sparsity') throw new SparsityConfigError(`cannot build magnitude_sparsity from a "${section.algorithm}" section`);
  return new MagnitudeSparsityBuilder(section, config);
}
