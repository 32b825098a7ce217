import { Statistics } from '../../compression/index.js';
import type { FilterPruningController } from './controller.js';
import { maskLevel } from './levels.js';

const ratio = (full: number, current: number) => (full === 0 ? 0 : 1 - current / full);

/**
 * NNCF's FilterPruningStatistics with its names: the model's FLOPs, parameters and filters (full,
 * current, pruning level), the level of the current epoch and the target, a per-layer table (weight
 * shape, mask shape, filter pruning level) and the pruning groups.
 */
export function pruningStatistics(c: FilterPruningController): Statistics {
  const { full, cost } = c;
  const graph = c.model.graph;
  const mode = c.options.pruneFlops ? 'FLOPs' : 'filter';
  const values = {
    pruning_level: c.pruningLevel,
    current_pruning_level: c.scheduler.currentPruningLevel,
    target_pruning_level: c.scheduler.targetLevel,
    pruning_mode: mode,
    full_flops: full.flops,
    current_flops: cost.flops,
    flops_pruning_level: ratio(full.flops, cost.flops),
    full_params_num: full.params,
    current_params_num: cost.params,
    params_pruning_level: ratio(full.params, cost.params),
    full_filters_num: full.filters,
    current_filters_num: cost.filters,
    filter_pruning_level: ratio(full.filters, cost.filters),
  };
  const layerRows = c.groups.flatMap((g) =>
    g.members.map((l) => [l.node.name, `[${graph.initializers.get(l.weight)?.dims.join(', ')}]`, `[${g.channels}]`, maskLevel(c.keep[g.id])]),
  );
  const groupRows = c.groups.map((g) => [g.id, g.members.map((l) => l.node.name).join(', '), g.channels, g.channels - Math.round(maskLevel(c.keep[g.id]) * g.channels)]);
  return new Statistics('filter_pruning', values, [
    { title: 'Statistics by pruned layers', header: ["Layer's name", "Weight's shape", "Mask's shape", 'Filter pruning level'], rows: layerRows },
    { title: 'Pruning groups', header: ['Group', 'Members', 'Filters', 'Kept'], rows: groupRows },
  ]);
}
