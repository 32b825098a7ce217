export * from './hutchinson.js';
export * from './engine-traces.js';
export * from './frozen-kinks.js';
