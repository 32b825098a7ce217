export * from './sources.js';
export * from './collect.js';
