export * from './options.js';
export * from './spec.js';
export { placeQuantizers } from './solver.js';
export { traitOf } from './units.js';
export { activationsPerTensorForOrt } from './settings.js';
export { mergeBranchConfigs } from './merge-configs.js';
