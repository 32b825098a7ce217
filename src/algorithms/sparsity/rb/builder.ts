import type { BuildContext, CompressedModel, CompressionAlgorithmBuilder, CompressionController } from '../../../compression/index.js';
import type { NNCFConfig, ResolvedAlgorithmSection, ResolvedRBSparsity } from '../../../config/index.js';
import { parseMode, SparsityConfigError } from '../base-controller.js';
import { sparsifiableLayers } from '../layers.js';
import { RBSparsityController } from './controller.js';
import { RBMaskedWeight } from './rb-mask.js';
import './rb-mask-node.js';

/**
 * Inserts an RB mask (trainable logits) on every sparsifiable weight. The training noise is seeded with
 * the config's `seed` (0 when absent), the gradient of the logits scaled by compression_lr_multiplier.
 */
export class RBSparsityBuilder implements CompressionAlgorithmBuilder {
  readonly name = 'rb_sparsity';
  readonly priority = -1;
  private layers: RBMaskedWeight[] = [];

  constructor(
    readonly section: ResolvedRBSparsity,
    readonly config: NNCFConfig,
  ) {
    parseMode(this.name, section.params.sparsity_level_setting_mode);
  }

  apply(model: CompressedModel, _ctx: BuildContext): void {
    const seed = this.config.get('seed');
    const lr = this.config.compressionLrMultiplier('rb_sparsity') ?? 1;
    const layers = sparsifiableLayers(model.graph, model.engine, this.section, this.name);
    this.layers = layers.map((l, i) => new RBMaskedWeight(l, model.engine, this.name, i, typeof seed === 'number' ? seed : 0, lr));
    for (const l of this.layers) model.apply(l.command(this.name));
  }

  async buildController(model: CompressedModel, _ctx: BuildContext): Promise<CompressionController> {
    const p = this.section.params;
    return new RBSparsityController(model, this.layers, parseMode(this.name, p.sparsity_level_setting_mode), { ...p, sparsity_init: this.section.sparsity_init });
  }

  getBuilderState(): Record<string, unknown> {
    return { sparsified_layers: this.layers.map((m) => m.name) };
  }
}

export function rbSparsityFactory(section: ResolvedAlgorithmSection, config: NNCFConfig): RBSparsityBuilder {
  if (section.algorithm !== 'rb_sparsity') throw new SparsityConfigError(`cannot build rb_sparsity from a "${section.algorithm}" section`);
  return new RBSparsityBuilder(section, config);
}
