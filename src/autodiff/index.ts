// autodiff/: Graph → one ONNX training graph (forward in train mode, loss, backward as standard ops),
// run on onnxruntime. Knows graph and runtime only.
export { compileTrainingGraph, type CompileOptions, type TrainingGraph } from './compile.js';
export type { TrainingLossSpec } from './loss.js';
export { OrtTrainerStep, type OrtTrainerStepOptions, type TrainStepResult } from './ort-trainer-step.js';
export { registerGradientRule, findGradientRule, gradientRuleFor, opsWithGradientRules } from './registry.js';
export { AutodiffError, MissingGradientRuleError } from './errors.js';
export { GraphEmitter } from './emitter.js';
export type { GradientRule, ForwardContext, BackwardContext, ForwardResult } from './rule.js';
export { intAttr, floatAttr, intsAttr, stringAttr } from './attrs.js';
