// Runtime layer: onnxruntime-node sessions over plain arrays. Imports nothing of compression.
export * from './errors.js';
export * from './tensors.js';
export * from './extra-outputs.js';
export * from './session.js';
export * from './optimized.js';
export * from './benchmark.js';
export * from './batched.js';
export * from './kernels.js';
export * from './interleaved.js';
export * from './subgraph.js';
