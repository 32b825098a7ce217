export * from './channel-map.js';
export * from './layers.js';
export { Flow } from './flow.js';
export { propagateMaps, type Propagation } from './propagate.js';
export { findPruningGroups, type GroupAnalysis, type GroupOptions, type PruningGroup } from './select.js';
export { traitOf, type PruningTrait } from './traits/index.js';
