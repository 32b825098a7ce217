import type { Graph } from '../../graph/index.js';
import { countCost, type ModelCost } from './flops.js';
import type { ChannelMap, GroupAnalysis } from './groups/index.js';
import { globalMasks, groupMask, maskAbove, roundedPrunedCount } from './levels.js';

/** What level setting needs: the analysis, per-group importances, and a cost counter. */
export interface LevelContext {
  graph: Graph;
  analysis: GroupAnalysis;
  consumed: ReadonlyMap<string, ChannelMap>;
}

export const PRUNING_QUOTA = 0.9;

export function costOf(ctx: LevelContext, keep: readonly (ArrayLike<number> | undefined)[]): ModelCost {
  return countCost(ctx.graph, ctx.analysis, ctx.consumed, (g) => keep[g]);
}

/** Keep masks that prune the first `roundedPrunedCount` filters of each group (only counts matter for cost). */
export function uniformCountMasks(ctx: LevelContext, level: number): Uint8Array[] {
  return ctx.analysis.groups.map((g) => {
    const pruned = roundedPrunedCount(g.channels, level);
    return Uint8Array.from({ length: g.channels }, (_, i) => (i < pruned ? 0 : 1));
  });
}

/**
 * NNCF _find_uniform_pruning_level_for_target_flops: bisection on [0, 1] to 0.01 for the smallest
 * uniform level whose FLOPs are below full·(1 − target); throws when even the found level misses it.
 */
export function uniformLevelForFlops(ctx: LevelContext, fullFlops: number, target: number): number {
  const goal = fullFlops * (1 - target);
  let left = 0;
  let right = 1;
  while (Math.abs(right - left) > 0.01) {
    const mid = (left + right) / 2;
    if (costOf(ctx, uniformCountMasks(ctx, mid)).flops < goal) right = mid;
    else left = mid;
  }
  if (costOf(ctx, uniformCountMasks(ctx, right)).flops <= goal) return right;
  throw new Error(`filter_pruning: cannot prune the model to the required FLOPs pruning level ${target} (pruning_flops_target)`);
}

export function uniformMasks(importances: readonly Float64Array[], levels: (group: number) => number): Uint8Array[] {
  return importances.map((imp, g) => groupMask(imp, levels(g)));
}

export { globalMasks };

/**
 * NNCF _set_binary_masks_for_pruned_modules_globally_by_flops_target: filters in ascending importance
 * over all groups, each group keeping at least 10 % (quota floor(0.9·filters)), pruned one by one
 * until FLOPs drop below full·(1 − target).
 */
export function globalMasksForFlops(ctx: LevelContext, importances: readonly Float64Array[], fullFlops: number, target: number): Uint8Array[] {
  const goal = fullFlops * (1 - target);
  const keep = importances.map((imp) => maskAbove(imp, -Infinity));
  const quota = ctx.analysis.groups.map((g) => Math.floor(g.channels * PRUNING_QUOTA));
  const order = importances.flatMap((imp, g) => Array.from(imp, (v, f) => ({ v, g, f }))).sort((a, b) => a.v - b.v);
  for (const { g, f } of order) {
    if (quota[g] <= 0) continue;
    quota[g]--;
    keep[g][f] = 0;
    if (costOf(ctx, keep).flops < goal) return keep;
  }
  throw new Error(`filter_pruning: cannot prune the model to the required FLOPs pruning level ${target} (pruning_flops_target)`);
}
