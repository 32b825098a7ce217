export * from './lr-schedulers.js';
export * from './stages.js';
export * from './progressive-shrinking.js';
