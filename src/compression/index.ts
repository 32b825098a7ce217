export * from './stage.js';
export * from './scheduler.js';
export * from './statistics.js';
export * from './controller.js';
export * from './compressed-model.js';
export * from './builder.js';
export * from './create.js';
export * from './init-contracts.js';
