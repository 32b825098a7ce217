export * from './hutchinson.js';
export * from './engine-traces.js';
