import type { BuildContext, BuilderState, CompressedModel, CompressionAlgorithmBuilder, CompressionController } from '../../compression/index.js';
import type { NNCFConfig, ResolvedAlgorithmSection, ResolvedFilterPruning } from '../../config/index.js';
import { validateScopes } from '../../graph/index.js';
import { FilterPruningController } from './controller.js';
import { findPruningGroups, type GroupAnalysis } from './groups/index.js';
import { groupPropagation, maskCommand, maskedParams, OWNER, type MaskedParam } from './masks.js';
import type { Propagation } from './groups/index.js';

export class FilterPruningError extends Error {
  override name = 'FilterPruningError';
}

/**
 * Builds filter_pruning: finds the pruning groups (params prune_first_conv, prune_downsample_convs,
 * ignored/target scopes), masks every group member's weight and bias and (prune_batch_norms) the norms
 * the pruned channels reach, and returns the controller, which sets pruning_init at once.
 */
export class FilterPruningBuilder implements CompressionAlgorithmBuilder {
  readonly name = OWNER;
  private analysis?: GroupAnalysis;
  private propagation?: Propagation;
  private params: MaskedParam[] = [];

  constructor(readonly section: ResolvedFilterPruning) {
    const p = section.params;
    if (p.interlayer_ranking_type === 'learned_ranking')
      throw new FilterPruningError(
        'filter_pruning.params.interlayer_ranking_type "learned_ranking" (LeGR, with legr_params, save_ranking_coeffs_path, load_ranking_coeffs_path) is not built yet in nncf-ts; use "unweighted_ranking"',
      );
    for (const key of ['legr_params', 'save_ranking_coeffs_path', 'load_ranking_coeffs_path'] as const)
      if (p[key] !== undefined)
        throw new FilterPruningError(`filter_pruning.params.${key} is only used by interlayer_ranking_type "learned_ranking" (LeGR), which is not built yet in nncf-ts`);
    const level = p.pruning_flops_target ?? p.pruning_target ?? 0.5;
    if (!(level >= 0 && level < 1)) throw new FilterPruningError(`filter_pruning: the target level must be in [0, 1), got ${level}`);
    if (!(section.pruning_init >= 0 && section.pruning_init < 1)) throw new FilterPruningError(`filter_pruning.pruning_init must be in [0, 1), got ${section.pruning_init}`);
  }

  apply(model: CompressedModel, _ctx: BuildContext): void {
    const { section } = this;
    const graph = model.graph;
    validateScopes(graph.nodes.map((n) => n.name), { ignoredScopes: section.ignored_scopes, targetScopes: section.target_scopes }, section.validate_scopes ?? true, 'filter_pruning');
    const analysis = findPruningGroups(graph, {
      pruneFirst: section.params.prune_first_conv,
      pruneDownsample: section.params.prune_downsample_convs,
      ignoredScopes: section.ignored_scopes,
      targetScopes: section.target_scopes,
    });
    const propagation = groupPropagation(analysis);
    this.params = maskedParams(graph, analysis, propagation, section.params.prune_batch_norms);
    for (const p of this.params) model.apply(maskCommand(p, graph.initializers.get(p.name)!.dims.length));
    this.analysis = analysis;
    this.propagation = propagation;
  }

  async buildController(model: CompressedModel, _ctx: BuildContext): Promise<CompressionController> {
    if (!this.analysis || !this.propagation) throw new FilterPruningError('buildController called before apply');
    const p = this.section.params;
    const pruneFlops = !!p.pruning_flops_target;
    return new FilterPruningController(model, this.analysis, this.propagation, this.params, {
      filterImportance: p.filter_importance,
      allWeights: p.all_weights,
      pruneFlops,
      pruningInit: this.section.pruning_init,
      schedule: {
        schedule: p.schedule,
        targetLevel: pruneFlops ? p.pruning_flops_target! : (p.pruning_target ?? 0.5),
        numInitSteps: p.num_init_steps,
        pruningSteps: p.pruning_steps,
      },
    });
  }

  getBuilderState(): BuilderState {
    return { groups: this.analysis?.groups.map((g) => g.members.map((l) => l.node.name)) ?? [] };
  }
}

export function filterPruningFactory(section: ResolvedAlgorithmSection, _config: NNCFConfig): FilterPruningBuilder {
  if (section.algorithm !== 'filter_pruning') throw new FilterPruningError(`cannot build from a "${section.algorithm}" section`);
  return new FilterPruningBuilder(section);
}
