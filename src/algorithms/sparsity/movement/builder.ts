import type { BuildContext, CompressedModel, CompressionAlgorithmBuilder, CompressionController } from '../../../compression/index.js';
import type { NNCFConfig, ResolvedAlgorithmSection, ResolvedMovementSparsity } from '../../../config/index.js';
import { matchesAny } from '../../../graph/index.js';
import { SparsityConfigError } from '../base-controller.js';
import { MovementSparsityController } from './controller.js';
import { linearLayers, type LinearLayer } from './layers.js';
import './movement-mask-node.js';
import { movementSchedulerParams, sparseConfigByScope, sparseFactorsFor, type MovementSchedulerParams, type SparseConfig, type SparseConfigByScope } from './params.js';
import { MovementSparsifier } from './sparsifier.js';
import { findStructuredGroups, type StructuredGroup } from './structured-groups.js';

/**
 * NNCF's MovementSparsityBuilder: a MovementSparsifier on every linear layer (weight and bias), its
 * sparse structure from the one `sparse_structure_by_scopes` entry whose target_scopes match it (fine
 * when none; two matching entries are an error), scores' gradient scaled by compression_lr_multiplier.
 */
export class MovementSparsityBuilder implements CompressionAlgorithmBuilder {
  readonly name = 'movement_sparsity';
  readonly priority = -1;
  readonly params: MovementSchedulerParams;
  private readonly byScopes: SparseConfigByScope[];
  private sparsifiers: MovementSparsifier[] = [];
  private groups: StructuredGroup[] = [];

  constructor(
    readonly section: ResolvedMovementSparsity,
    readonly config: NNCFConfig,
    readonly warn: (line: string) => void = (l) => console.warn(l),
  ) {
    this.params = movementSchedulerParams(section, warn);
    this.byScopes = (section.sparse_structure_by_scopes ?? []).map((e, i) => sparseConfigByScope(e, i));
  }

  private structureOf(layer: LinearLayer): SparseConfig {
    const matched = this.byScopes.filter((e) => matchesAny(layer.name, e.targetScopes));
    if (matched.length >= 2) throw new SparsityConfigError(`movement_sparsity.sparse_structure_by_scopes: "${layer.name}" is matched by ${matched.length} entries`);
    return matched[0]?.config ?? { mode: 'fine', sparseFactors: [1, 1] };
  }

  apply(model: CompressedModel, _ctx: BuildContext): void {
    const lr = this.config.compressionLrMultiplier('movement_sparsity') ?? 1;
    const layers = linearLayers(model.graph, model.engine, this.section);
    this.sparsifiers = layers.map((l) => {
      const cfg = this.structureOf(l);
      return new MovementSparsifier(l, model.engine, cfg.mode, sparseFactorsFor(l.shape, cfg, l.name), lr, cfg.axis);
    });
    if (this.params.enableStructuredMasking) {
      const found = findStructuredGroups(model.graph, layers, new Map(this.sparsifiers.map((s) => [s.name, { structure: s.structure, axis: s.axis }])));
      for (const line of found.skipped) this.warn(`movement_sparsity: structured masking skips the ${line}`);
      if (found.groups.length === 0)
        throw new SparsityConfigError(
          'movement_sparsity.params.enable_structured_masking is true (the default), but no attention or feed-forward group of linear layers was found; set it to false for this model',
        );
      this.groups = found.groups;
    }
    for (const s of this.sparsifiers) for (const c of s.commands(this.name)) model.apply(c);
  }

  async buildController(model: CompressedModel, _ctx: BuildContext): Promise<CompressionController> {
    return new MovementSparsityController(model, this.sparsifiers, this.params, this.groups, this.warn);
  }

  getBuilderState(): Record<string, unknown> {
    return { sparsified_layers: this.sparsifiers.map((s) => s.name) };
  }
}

export function movementSparsityFactory(section: ResolvedAlgorithmSection, config: NNCFConfig): MovementSparsityBuilder {
  if (section.algorithm !== 'movement_sparsity') throw new SparsityConfigError(`cannot build movement_sparsity from a "${section.algorithm}" section`);
  return new MovementSparsityBuilder(section, config);
}
