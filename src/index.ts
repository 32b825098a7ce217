// Public API of nncf-ts. Each layer exports its public pieces here.
export * from './graph/index.js';
export * from './data/index.js';
export * from './runtime/index.js';
export * from './config/index.js';
