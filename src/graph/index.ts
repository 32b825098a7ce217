export * from './types.js';
export * from './graph.js';
export * from './semantics/index.js';
