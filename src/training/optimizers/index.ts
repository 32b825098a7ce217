export * from './types.js';
export { Sgd, type SgdOptions } from './sgd.js';
export { Adam, type AdamOptions } from './adam.js';
