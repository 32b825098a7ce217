/**
 * LR schedules of NNCF's sample scripts (examples/torch/common/optimizer.py), as closed forms of the
 * scheduler's epoch index k:
 * - multistep: base·γ^(#milestones ≤ k)        (MultiStepLR, `steps`, `gamma`)
 * - step:      base·γ^⌊k/step⌋                  (StepLR, `step` default 30)
 * - exponential: base·γ^k
 * - poly:      base·(1 − k/epochs)^power        (LambdaLR, schedule_params.power default 0.9)
 * - cosine:    η_min + (base−η_min)·(1+cos(πk/T_max))/2 (CosineAnnealingLR; T_max default epochs) — an
 *              nncf-ts addition with PyTorch's formula
 * - plateau:   ReduceLROnPlateau(mode max, factor γ, threshold_mode abs, threshold 0.1 default)
 * NNCF's loop calls `lr_scheduler.step(epoch)` AFTER training epoch `epoch`, so epoch e trains with
 * f(max(e−1, 0)); `lrForEpoch` reproduces that.
 */
import { TrainingConfigError } from './errors.js';

export type ScheduleType = 'multistep' | 'step' | 'exponential' | 'poly' | 'cosine' | 'plateau';
export const SCHEDULE_TYPES: readonly ScheduleType[] = ['multistep', 'step', 'exponential', 'poly', 'cosine', 'plateau'];

export interface ScheduleSpec {
  type: ScheduleType;
  baseLr: number;
  gamma: number;
  /** multistep milestones. */
  steps?: readonly number[];
  /** step: step size in epochs. */
  stepSize?: number;
  /** poly / cosine: total epochs. */
  epochs?: number;
  power?: number;
  etaMin?: number;
  tMax?: number;
  /** plateau */
  patience?: number;
  threshold?: number;
  cooldown?: number;
  minLr?: number;
}

/** The closed-form LR at scheduler index k (torch's `last_epoch`). Not for plateau. */
export function scheduleLr(s: ScheduleSpec, k: number): number {
  switch (s.type) {
    case 'multistep':
      return s.baseLr * s.gamma ** (s.steps ?? []).filter((m) => m <= k).length;
    case 'step':
      return s.baseLr * s.gamma ** Math.floor(k / (s.stepSize ?? 30));
    case 'exponential':
      return s.baseLr * s.gamma ** k;
    case 'poly':
      return s.baseLr * (1 - k / need(s.epochs, 'epochs')) ** (s.power ?? 0.9);
    case 'cosine': {
      const tMax = s.tMax ?? need(s.epochs, 'epochs');
      const etaMin = s.etaMin ?? 0;
      return etaMin + ((s.baseLr - etaMin) * (1 + Math.cos((Math.PI * k) / tMax))) / 2;
    }
    case 'plateau':
      throw new TrainingConfigError('optimizer.schedule_type', 'plateau has no closed form; use PlateauSchedule');
  }
}

/** LR used while training epoch e in NNCF's sample loop (the scheduler steps with `epoch` after each epoch). */
export function lrForEpoch(s: ScheduleSpec, e: number): number {
  return scheduleLr(s, Math.max(e - 1, 0));
}

function need(v: number | undefined, key: string): number {
  if (v === undefined || !(v > 0)) throw new TrainingConfigError(key, 'must be a positive number for this LR schedule');
  return v;
}

export interface PlateauState {
  lr: number;
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
}

/** torch ReduceLROnPlateau(mode='max', threshold_mode='abs') as NNCF configures it; step(metric) after each epoch. */
export class PlateauSchedule {
  state: PlateauState;
  constructor(private readonly s: ScheduleSpec) {
    this.state = { lr: s.baseLr, best: -Infinity, numBadEpochs: 0, cooldownCounter: 0 };
  }

  get lr(): number {
    return this.state.lr;
  }

  step(metric: number): number {
    const st = this.state;
    if (metric > st.best + (this.s.threshold ?? 0.1)) {
      st.best = metric;
      st.numBadEpochs = 0;
    } else st.numBadEpochs++;
    if (st.cooldownCounter > 0) {
      st.cooldownCounter--;
      st.numBadEpochs = 0;
    }
    if (st.numBadEpochs > (this.s.patience ?? 10)) {
      const next = Math.max(st.lr * this.s.gamma, this.s.minLr ?? 0);
      if (st.lr - next > 1e-8) st.lr = next;
      st.cooldownCounter = this.s.cooldown ?? 0;
      st.numBadEpochs = 0;
    }
    return st.lr;
  }
}
