export { AccuracyAwareTrainingLoop, createAccuracyAwareTrainingLoop, findAdaptiveController, MAXIMAL_COMPRESSION_RATE, MINIMAL_COMPRESSION_RATE } from './loop.js';
export { accuracyAwareSettings, minimalTolerableAccuracy, type AccuracyAwareSettings, type AccuracyAwareMode } from './params.js';
export type { AccuracyAwareController } from './runner.js';
export type * from './types.js';
export { modelStateCheckpoints } from './model-state.js';
