export * from './kernel-sizes.js';
export * from './elastic-kernel-op.js';
export * from './handler.js';
export * from './kernel-node.js';
