// Training: NNCF's sample training loop (optimizers, LR schedules, checkpoints) over a CompressedModel.
export * from './errors.js';
export * from './optimizers/index.js';
export * from './lr-schedules.js';
export * from './staged-lr-policy.js';
export * from './settings.js';
export * from './losses.js';
export { GradAccumulator, type TaskLoss, type BatchMetric, type StepResult } from './grad-step.js';
export * from './trainer-state.js';
export { Trainer, type TrainerOptions, type BatchEvent } from './trainer.js';
export { chooseTrainingEngine, type TrainingEngineName, type EngineChoice, type OrtPlan } from './ort-plan.js';
export { leafControllers, settle } from './controllers.js';
export { readTrainingCheckpoint, saveTrainerCheckpoint, type LoadedCheckpoint } from './checkpoint.js';
export { encodeCheckpoint, decodeCheckpoint, writeCheckpointFile, readCheckpointFile, type StoredTensor } from './checkpoint-file.js';
export * from './accuracy-aware/index.js';
export type { OrtStepTiming } from './ort-engine.js';
export { legrInitArgs, validateTop1AndLoss, type LegrDataOptions } from './legr-init-args.js';
export { evaluateOnEngine, type EngineEvaluation } from './evaluate-engine.js';
