// Public API of nncf-ts. Each layer exports its public pieces here.
export * from './graph/index.js';
export * from './data/index.js';
export * from './runtime/index.js';
export * from './config/index.js';
export * from './frontends/onnx/index.js';
export * from './exporters/onnx/index.js';
export { inferShapes, SHAPE_INFERENCE_OPS, ShapeInferenceError } from './graph/shape-inference/index.js';
export { decodeModelProto, encodeModelProto, type OnnxModelInfo } from './graph/onnx-proto/index.js';
export * from './engine/index.js';
export * from './compression/index.js';
export * from './api.js';
export * from './api-nas.js';
export * from './latency-check.js';
export { buildPlan, renderPlan, PlanNeedsDataError, type Plan, type PlanOptions } from './report/plan/index.js';
export {
  AccuracyAwareTrainingLoop,
  createAccuracyAwareTrainingLoop,
  modelStateCheckpoints,
  type AccuracyAwareCallbacks,
  type AccuracyAwareRecord,
  type AccuracyAwareResult,
} from './training/index.js';
