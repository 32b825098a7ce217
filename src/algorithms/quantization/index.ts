// The `quantization` algorithm: placement, fake quantizers, range init wiring, controller, export.
export * from './config-adapter.js';
export * from './modules.js';
export * from './statistics.js';
export * from './export-specs.js';
export * from './init-services.js';
export * from './range-init.js';
export * from './controller.js';
export * from './builder.js';
export * from './report.js';
export * from './staged-scheduler.js';
export * from './staged.js';
export * from './precision-hawq.js';
export * from './precision-hawq-summary.js';
export * from './precision-autoq.js';
export * from './latency-fallback/index.js';
