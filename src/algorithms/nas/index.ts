export * from './elasticity.js';
export * from './elastic-kernel/index.js';
export * from './elastic-width/index.js';
export * from './search/index.js';
export * from './elastic-depth/index.js';
export * from './training/index.js';
export * from './from-config.js';
export * from './supernet-state.js';
