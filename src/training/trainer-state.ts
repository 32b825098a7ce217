/**
 * What a checkpoint holds besides tensors: the trainer's position and schedules. Position {epoch, batch}
 * is the next batch to run; batch 0 means the epoch has not started (its epochStep() is still due).
 */
import type { CompressionStage, CompressionState } from '../compression/index.js';
import type { OptimizerState, SlotState } from './optimizers/index.js';
import type { PlateauState } from './lr-schedules.js';
import type { StagedLrState } from './staged-lr-policy.js';

export interface EpochRecord {
  epoch: number;
  loss: number;
  taskLoss: number;
  compressionLoss: number;
  metric?: number;
  evalMetric?: number;
  lr: number;
  stage: CompressionStage;
}

export interface TrainerPosition {
  epoch: number;
  batch: number;
  globalStep: number;
}

export interface CheckpointMeta {
  format: 'nncf-ts-training-checkpoint';
  position: TrainerPosition;
  seed: number;
  batchSize: number;
  /** Names of the weight tensors, in engine order (running statistics included). */
  weights: string[];
  compressionVariables: number;
  optimizer: Omit<OptimizerState, 'slots'> & { slots: Record<string, Record<number, { shape: number[] }>> };
  stagedLr?: StagedLrState;
  plateau?: PlateauState;
  best: { metric: number; stage: CompressionStage };
  history: EpochRecord[];
  compressionState?: CompressionState;
}

export type { SlotState };
