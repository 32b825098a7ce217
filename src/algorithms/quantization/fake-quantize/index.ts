export * from './levels.js';
export * from './quantize-math.js';
export * from './fake-quantize-ops.js';
export * from './quantizer-spec.js';
export * from './minmax-init.js';
export * from './export-params.js';
export * from './quantizer-state.js';
export * from './quantizer.js';
