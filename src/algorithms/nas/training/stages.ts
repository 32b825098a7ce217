/**
 * Progressive shrinking's stage descriptors (NNCF stage_descriptor.py) and their checks
 * (BootstrapNASScheduler._validate_elasticity_dims / _validate_lr): NNCF's default five stages, train
 * dims that must be available, no dimension of `progressivity_of_elasticity` skipped between the first
 * and last one a stage trains, and the stage vs global learning-rate rules.
 */
import type { ElasticityDim } from '../elasticity.js';

export interface StageDescriptor {
  train_dims: ElasticityDim[];
  epochs: number;
  depth_indicator: number;
  width_indicator: number;
  reorg_weights: boolean;
  bn_adapt: boolean;
  init_lr?: number;
  epochs_lr?: number;
  sample_rate: number;
}

export class NasScheduleError extends Error {
  override name = 'NasScheduleError';
}

/** NNCF's DEFAULT_STAGE_LR_RATE: a stage's init_lr when neither it nor a global base_lr is given. */
export const DEFAULT_STAGE_LR = 3.5e-6;
export const DEFAULT_PROGRESSIVITY: readonly ElasticityDim[] = ['kernel', 'depth', 'width'];

const stage = (train_dims: ElasticityDim[], extra: Partial<StageDescriptor> = {}): StageDescriptor => ({
  train_dims, epochs: 1, depth_indicator: 1, width_indicator: 1, reorg_weights: false, bn_adapt: false, sample_rate: 1, ...extra,
});

/** NNCF's schedule when the config gives no list_stage_descriptions. */
export function defaultStages(): StageDescriptor[] {
  return [
    stage(['kernel']),
    stage(['kernel', 'depth']),
    stage(['kernel', 'depth'], { depth_indicator: 2 }),
    stage(['kernel', 'depth', 'width']),
    stage(['kernel', 'depth', 'width'], { width_indicator: 2, reorg_weights: true, bn_adapt: true }),
  ];
}

export function stageFromConfig(c: Partial<StageDescriptor>): StageDescriptor {
  return stage(c.train_dims ?? ['kernel'], Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
}

/** NNCF's checks, in its order; `globalLr` says whether training.lr_schedule is given. Fills init_lr/epochs_lr as NNCF. */
export function validateStages(stages: StageDescriptor[], available: readonly ElasticityDim[], progressivity: readonly ElasticityDim[], globalLr: boolean, warn: (m: string) => void = () => {}): void {
  const where = 'bootstrapNAS.training.schedule.list_stage_descriptions';
  stages.forEach((desc, s) => {
    if (!Number.isInteger(desc.sample_rate) || desc.sample_rate < 1)
      throw new NasScheduleError(`${where}[${s}].sample_rate must be a positive integer, got ${desc.sample_rate}`);
    if (!Number.isInteger(desc.epochs) || desc.epochs < 0) throw new NasScheduleError(`${where}[${s}].epochs must be a non-negative integer, got ${desc.epochs}`);
    let high = -1;
    let low = progressivity.length;
    const covered = new Set<number>();
    for (const dim of desc.train_dims) {
      if (!available.includes(dim))
        throw new NasScheduleError(
          `${where}[${s}].train_dims: elasticity dimension "${dim}" is not enabled (available_elasticity_dims: ${available.join(', ')})`,
        );
      const idx = progressivity.indexOf(dim);
      if (idx < 0) throw new NasScheduleError(`${where}[${s}].train_dims: "${dim}" is not in progressivity_of_elasticity (${progressivity.join(', ')})`);
      covered.add(idx);
      high = Math.max(high, idx);
      low = Math.min(low, idx);
    }
    for (let i = low; i < high; i++)
      if (!covered.has(i) && available.includes(progressivity[i]))
        throw new NasScheduleError(
          `${where}[${s}].train_dims [${desc.train_dims.join(', ')}] misses "${progressivity[i]}", which violates progressivity_of_elasticity [${progressivity.join(', ')}]`,
        );
    if (desc.init_lr !== undefined && globalLr)
      throw new NasScheduleError(`${where}[${s}].init_lr ${desc.init_lr}: the global learning-rate schedule (training.lr_schedule) is in use, so a stage cannot set its own`);
    if (desc.init_lr === undefined && !globalLr) {
      warn(`${where}[${s}]: stage learning rate in use but init_lr not set; using ${DEFAULT_STAGE_LR}`);
      desc.init_lr = DEFAULT_STAGE_LR;
    }
    if (desc.init_lr !== undefined && desc.epochs_lr === undefined) desc.epochs_lr = desc.epochs;
  });
}
