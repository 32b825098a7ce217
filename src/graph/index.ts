export * from './types.js';
export * from './graph.js';
