import { BaseScheduler, type SchedulerState } from '../../compression/index.js';

/** What a pruning scheduler drives (the controller). */
export interface PruningLevelTarget {
  setPruningLevel(level: number): void;
  freeze(freeze?: boolean): void;
}

export interface PruningScheduleParams {
  schedule: 'baseline' | 'exponential' | 'exponential_with_bias';
  initialLevel: number;
  targetLevel: number;
  numInitSteps: number;
  pruningSteps: number;
}

/**
 * NNCF's PruningScheduler: level 0 for the `num_init_steps` warm-up epochs, then the schedule's level;
 * each epoch_step sets that level on the controller and freezes it from `freeze_epoch` on
 * (warm-up + pruning_steps; baseline: right after warm-up).
 */
export class PruningScheduler extends BaseScheduler {
  readonly freezeEpoch: number;
  private readonly fn: (epochAfterWarmup: number) => number;
  /** exponential_with_bias fit: level = a·exp(−k·e) + b. */
  readonly fit?: { a: number; b: number; k: number };

  constructor(
    private readonly target: PruningLevelTarget,
    readonly params: PruningScheduleParams,
  ) {
    super();
    const { schedule, initialLevel, targetLevel, numInitSteps, pruningSteps } = params;
    const lastEpoch = pruningSteps - 1;
    this.freezeEpoch = schedule === 'baseline' ? numInitSteps : numInitSteps + pruningSteps;
    if (schedule === 'baseline') this.fn = () => targetLevel;
    else if (schedule === 'exponential') {
      const d0 = 1 - initialLevel;
      const d1 = 1 - targetLevel;
      this.fn = (e) => {
        const density = lastEpoch === 0 ? d1 : Math.max(d0 * Math.pow(d1 / d0, e / lastEpoch), d1);
        return Math.min(1 - density, targetLevel);
      };
    } else {
      const fit = fitExponentialWithBias(lastEpoch, initialLevel, targetLevel);
      this.fit = fit;
      this.fn = (e) => Math.min(fit.a * Math.exp(-fit.k * e) + fit.b, targetLevel);
    }
  }

  get targetLevel(): number {
    return this.params.targetLevel;
  }

  /** Level for the current epoch (0 during warm-up). */
  get currentPruningLevel(): number {
    return this.currentEpoch >= this.params.numInitSteps ? this.fn(this.currentEpoch - this.params.numInitSteps) : 0;
  }

  protected override onEpoch(): void {
    this.target.setPruningLevel(this.currentPruningLevel);
    if (this.currentEpoch >= this.freezeEpoch) this.target.freeze(true);
  }

  protected override extraState(): Record<string, unknown> {
    return { current_pruning_level: this.currentPruningLevel };
  }

  protected override loadExtraState(_state: SchedulerState): void {}
}

/**
 * NNCF ExponentialWithBiasPruningScheduler._init_exp: a, b, k with p_min = a + b,
 * p_max = a·exp(−k·T) + b and 0.75·p_max = a·exp(−k·T/8) + b. With y = exp(−k·T) the last two give
 * y^(1/8) − c·y + c − 1 = 0, c = (0.75·p_max − p_min)/(p_max − p_min); y = 1 is the trivial root, the
 * other lies below the maximum of the left side and is found by bisection (NNCF uses fsolve from k = 1).
 */
export function fitExponentialWithBias(lastEpoch: number, pMin: number, pMax: number, factor = 0.125): { a: number; b: number; k: number } {
  if (lastEpoch <= 0 || pMax === pMin) return { a: 0, b: pMax, k: 0 };
  const c = (0.75 * pMax - pMin) / (pMax - pMin);
  const g = (y: number) => Math.pow(y, factor) - c * y + c - 1;
  const yMax = Math.min(Math.pow(factor / c, 1 / (1 - factor)), 1);
  let lo = 0;
  let hi = yMax;
  if (!(g(lo) < 0 && g(hi) > 0)) throw new Error(`exponential_with_bias: no schedule fits pruning_init ${pMin} and target ${pMax}`);
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (g(mid) < 0) lo = mid;
    else hi = mid;
  }
  const y = (lo + hi) / 2;
  const k = -Math.log(y) / lastEpoch;
  const a = (pMax - pMin) / (y - 1);
  return { a, b: pMin - a, k };
}
