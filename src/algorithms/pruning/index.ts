import { registerAlgorithm } from '../../compression/index.js';
import { filterPruningFactory } from './builder.js';

export { FilterPruningBuilder, FilterPruningError, filterPruningFactory } from './builder.js';
export { FilterPruningController, type FilterPruningOptions } from './controller.js';
export { PruningScheduler, fitExponentialWithBias } from './schedulers.js';
export { countCost, type ModelCost, type LayerCost } from './flops.js';
export { filterImportance, type FilterImportance } from './importance.js';
export { roundedPrunedCount } from './levels.js';
export * from './groups/index.js';

registerAlgorithm('filter_pruning', filterPruningFactory);

import type { CompressionController } from '../../compression/index.js';
import { FilterPruningController as FPC } from './controller.js';

/** The filter_pruning controller of a (composite) controller, if the config has the section. */
export function findFilterPruningController(controller: CompressionController): FPC | undefined {
  if (controller instanceof FPC) return controller;
  const children = (controller as { children?: readonly CompressionController[] }).children ?? [];
  return children.find((c): c is FPC => c instanceof FPC);
}

/**
 * `--keep-shape`: export NNCF's way, pruned filters as zeros in the original shapes, instead of the
 * physically smaller model. Throws when the config has no filter_pruning section.
 */
export function keepPrunedShapes(controller: CompressionController): void {
  const c = findFilterPruningController(controller);
  if (!c) throw new Error('--keep-shape applies to filter_pruning, and the config has no filter_pruning section');
  c.keepShape = true;
}

export { EvolutionOptimizer, populationStd, type RankingCoeffs, type EvolutionParams } from './legr/evolution.js';
export { learnRankingCoeffs, checkLegrParams, LegrError, type LegrPruner, type LegrEpisode, type LegrParams, type LegrResult } from './legr/search.js';
export { readRankingCoeffs, writeRankingCoeffs, rankingCoeffsFromJson, rankingCoeffsToJson, RankingCoeffsError } from './legr/coeffs-file.js';
export { LEGR_DEFAULT_OPTIMIZER, type LegrOptimizerSpec } from './legr/default-optimizer.js';
