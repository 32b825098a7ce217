/**
 * What the plan says about filter_pruning: the pruning groups (member layers, filters, kept) and the
 * refused clusters with their reasons, and the per-epoch state in the names.
 */
import { FilterPruningController } from '../../algorithms/pruning/index.js';
import { stageName } from '../../compression/index.js';

export function describePruning(ctrl: FilterPruningController): { algorithm: string; [k: string]: unknown } {
  return {
    algorithm: ctrl.name,
    mode: ctrl.options.pruneFlops ? 'flops' : 'filters',
    all_weights: ctrl.options.allWeights,
    filter_importance: ctrl.options.filterImportance,
    groups: ctrl.groups.map((g) => ({
      id: g.id,
      nodes: g.members.map((l) => l.node.name),
      filters: g.channels,
      kept: ctrl.keep[g.id].reduce((a, b) => a + b, 0),
    })),
    not_pruned: ctrl.analysis.refused.map((r) => ({ nodes: r.members, reasons: r.reasons })),
    full_flops: ctrl.full.flops,
    full_params_num: ctrl.full.params,
    full_filters_num: ctrl.full.filters,
  };
}

/** Per-epoch state: scheduler level, controller level, stage, FLOPs/params/filters now and in full. */
export function pruningState(ctrl: FilterPruningController): Record<string, number | string> {
  return {
    level: ctrl.scheduler.currentPruningLevel,
    pruning_level: ctrl.pruningLevel,
    stage: stageName(ctrl.compressionStage()),
    full_flops: ctrl.full.flops,
    current_flops: ctrl.cost.flops,
    full_params_num: ctrl.full.params,
    current_params_num: ctrl.cost.params,
    full_filters_num: ctrl.full.filters,
    current_filters_num: ctrl.cost.filters,
  };
}

export { FilterPruningController };
