export * from './types.js';
export * from './graph.js';
export * from './semantics/index.js';
export * from './transforms/index.js';
