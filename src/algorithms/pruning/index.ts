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
