import type { BuildContext, BuilderState, CompressedModel, CompressionAlgorithmBuilder, CompressionController } from '../../compression/index.js';
import { LeGRInitArgs, type NNCFConfig, type ResolvedAlgorithmSection, type ResolvedFilterPruning } from '../../config/index.js';
import { validateScopes } from '../../graph/index.js';
import { FilterPruningController } from './controller.js';
import { findPruningGroups, type GroupAnalysis } from './groups/index.js';
import { groupPropagation, maskCommand, maskedParams, OWNER, type MaskedParam } from './masks.js';
import type { Propagation } from './groups/index.js';
import { rankingCoeffsFromJson, readRankingCoeffs, writeRankingCoeffs } from './legr/coeffs-file.js';
import type { RankingCoeffs } from './legr/evolution.js';
import { LEGR_DEFAULT_OPTIMIZER } from './legr/default-optimizer.js';
import { learnRankingCoeffs, type LegrEpisode } from './legr/search.js';

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
  /** LeGR's coefficients, kept in the builder state so a resumed run does not search again. */
  private coeffs?: RankingCoeffs;

  constructor(readonly section: ResolvedFilterPruning) {
    const p = section.params;
    // NNCF reads these only with learned_ranking; save_ranking_coeffs_path also saves the identity (1, 0) of unweighted ranking
    if (p.interlayer_ranking_type !== 'learned_ranking')
      for (const key of ['legr_params', 'load_ranking_coeffs_path'] as const)
        if (p[key] !== undefined)
          throw new FilterPruningError(`filter_pruning.params.${key} is only used by interlayer_ranking_type "learned_ranking" (LeGR); the config ranks with "${p.interlayer_ranking_type}"`);
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

  async buildController(model: CompressedModel, ctx: BuildContext): Promise<CompressionController> {
    if (!this.analysis || !this.propagation) throw new FilterPruningError('buildController called before apply');
    const p = this.section.params;
    const pruneFlops = !!p.pruning_flops_target;
    const learnedRanking = p.interlayer_ranking_type === 'learned_ranking';
    const controller = new FilterPruningController(model, this.analysis, this.propagation, this.params, {
      filterImportance: p.filter_importance,
      allWeights: p.all_weights,
      pruneFlops,
      pruningInit: this.section.pruning_init,
      learnedRanking,
      schedule: {
        schedule: p.schedule,
        targetLevel: pruneFlops ? p.pruning_flops_target! : (p.pruning_target ?? 0.5),
        numInitSteps: p.num_init_steps,
        pruningSteps: p.pruning_steps,
      },
    });
    if (learnedRanking) {
      const saved = ctx.builderState?.ranking_coeffs;
      const coeffs = saved
        ? rankingCoeffsFromJson(JSON.stringify(saved), controller.prunedLayers(), 'the resumed compression state (builder_state.filter_pruning.ranking_coeffs)')
        : p.load_ranking_coeffs_path
        ? readRankingCoeffs(p.load_ranking_coeffs_path, controller.prunedLayers())
        : (await learnRankingCoeffs(model, controller, legrEpisode(ctx.config, model, controller), legrParams(p.legr_params!), ctx.config.getExtraStruct(LeGRInitArgs)?.log ?? ((l) => process.stderr.write(`${l}\n`)))).coeffs;
      controller.setRankingCoeffs(coeffs);
      controller.setPruningLevel(this.section.pruning_init);
      this.coeffs = controller.rankingCoeffs;
    }
    if (p.save_ranking_coeffs_path) writeRankingCoeffs(p.save_ranking_coeffs_path, controller.rankingCoeffs);
    return controller;
  }

  getBuilderState(): BuilderState {
    const groups = this.analysis?.groups.map((g) => g.members.map((l) => l.node.name)) ?? [];
    return this.coeffs ? { groups, ranking_coeffs: Object.fromEntries([...this.coeffs].map(([k, v]) => [k, [...v]])) } : { groups };
  }
}

function legrParams(lp: NonNullable<ResolvedFilterPruning['params']['legr_params']>) {
  return {
    generations: lp.generations,
    trainSteps: lp.train_steps,
    maxPruning: lp.max_pruning,
    seed: lp.random_seed,
    populationSize: lp.population_size,
    numSamples: lp.num_samples,
    mutatePercent: lp.mutate_percent,
    scaleSigma: lp.scale_sigma,
  };
}

/**
 * LeGR's episode from the registered LeGRInitArgs (NNCF: "Please, register LeGRInitArgs via
 * register_default_init_args"). The controller's scheduler state is put back after each training run,
 * as NNCF's LeGRPruner trains with a copy of the scheduler.
 */
function legrEpisode(config: NNCFConfig, model: CompressedModel, controller: FilterPruningController): LegrEpisode {
  const args = config.getExtraStruct(LeGRInitArgs);
  if (!args || typeof args.trainFn !== 'function' || typeof args.valFn !== 'function')
    throw new FilterPruningError(
      'filter_pruning.params.interlayer_ranking_type "learned_ranking" (LeGR) trains ranking coefficients and needs training and validation: ' +
        'register LeGRInitArgs(trainLoader, trainFn, valLoader, valFn[, trainOptimizer]) with config.registerExtraStructs (legrInitArgs() in the API builds them from datasets; ' +
        '`nncf-ts train` registers them from --train/--val), or give params.load_ranking_coeffs_path',
    );
  return {
    async train(steps) {
      const state = controller.scheduler.getState();
      await args.trainFn(args.trainLoader, model, args.trainOptimizer ?? LEGR_DEFAULT_OPTIMIZER, controller, steps);
      controller.scheduler.loadState(state);
    },
    async validate() {
      return args.valFn(model, args.valLoader);
    },
  };
}

export function filterPruningFactory(section: ResolvedAlgorithmSection, _config: NNCFConfig): FilterPruningBuilder {
  if (section.algorithm !== 'filter_pruning') throw new FilterPruningError(`cannot build from a "${section.algorithm}" section`);
  return new FilterPruningBuilder(section);
}
