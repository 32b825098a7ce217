export * from './memory.js';
export * from './ddpg.js';
export * from './search.js';
export * from './run.js';
export * from './top1.js';
