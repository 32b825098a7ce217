/**
 * const_sparsity (NNCF's ConstSparsityBuilder): masks that never change. NNCF loads them from a
 * checkpoint of a sparse model; here they are the zeros already in the model's weights (a model pruned
 * elsewhere), so fine-tuning keeps those weights at zero. Stub scheduler, FULLY_COMPRESSED, no loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Statistics, type BuildContext, type CompressedModel, type CompressionAlgorithmBuilder, type CompressionController } from '../../../compression/index.js';
import type { NNCFConfig, ResolvedAlgorithmSection, ResolvedConstSparsity } from '../../../config/index.js';
import { SparsityConfigError, SparsityControllerBase } from '../base-controller.js';
import { sparsifiableLayers } from '../layers.js';
import { MaskedWeight } from '../mask.js';
import { StubSparsityScheduler, type AnySparsityScheduler } from '../schedulers.js';
import { sparsityTables } from '../statistics.js';

export class ConstSparsityController extends SparsityControllerBase {
  readonly name = 'const_sparsity';
  scheduler: AnySparsityScheduler = new StubSparsityScheduler();

  constructor(model: CompressedModel, masked: readonly MaskedWeight[]) {
    super(model, masked);
    for (const m of masked) {
      const mask = tf.tidy(() => tf.cast(tf.notEqual(m.weight, 0), 'float32'));
      m.setMask(mask);
      mask.dispose();
      m.frozen = true;
    }
  }

  /** NNCF's const controller has nothing to freeze. */
  freeze(): void {}

  statistics(): Statistics {
    const s = this.collect();
    return new Statistics(this.name, { sparsity_level: s.sparsityLevel, sparsity_level_for_layers: s.sparsityLevelForLayers }, sparsityTables(s));
  }
}

export class ConstSparsityBuilder implements CompressionAlgorithmBuilder {
  readonly name = 'const_sparsity';
  readonly priority = -1;
  private masked: MaskedWeight[] = [];

  constructor(readonly section: ResolvedConstSparsity) {}

  apply(model: CompressedModel, _ctx: BuildContext): void {
    this.masked = sparsifiableLayers(model.graph, model.engine, this.section, this.name).map((l) => new MaskedWeight(l, model.engine, this.name));
    for (const m of this.masked) model.apply(m.command(this.name));
  }

  async buildController(model: CompressedModel, _ctx: BuildContext): Promise<CompressionController> {
    return new ConstSparsityController(model, this.masked);
  }

  getBuilderState(): Record<string, unknown> {
    return { sparsified_layers: this.masked.map((m) => m.name) };
  }
}

export function constSparsityFactory(section: ResolvedAlgorithmSection, _config: NNCFConfig): ConstSparsityBuilder {
  if (section.algorithm !== 'const_sparsity') throw new SparsityConfigError(`cannot build const_sparsity from a "${section.algorithm}" section`);
  return new ConstSparsityBuilder(section);
}
