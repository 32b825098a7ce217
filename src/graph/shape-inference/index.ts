export { inferShapes, type ShapeInferenceResult } from './infer.js';
export { ShapeContext, ShapeInferenceError, type ShapeRule, type ValueFacts } from './context.js';
export { SHAPE_RULES, SHAPE_INFERENCE_OPS } from './registry.js';
export { ModelLoadError, assertSupported } from './support.js';
export { broadcast, normAxis } from './dims.js';
