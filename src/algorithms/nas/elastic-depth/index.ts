export * from './block-search.js';
export * from './handler.js';
export { BLOCK_INPUT_OP, SKIP_BLOCK_OP } from './skip-node.js';
