// Initialization: range statistics, range init runs, BatchNorm adaptation, init data.
export * from './init-data.js';
export * from './range/index.js';
export * from './range-init/index.js';
export * from './bn-adaptation/index.js';
export * from './hessian/index.js';
export * from './autoq/index.js';
export * from './fixed-batch.js';
export * from './progress.js';
