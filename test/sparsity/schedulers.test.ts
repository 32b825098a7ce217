import { describe, expect, it } from 'vitest';
import {
  AdaptiveSparsityScheduler,
  createSparsityScheduler,
  PolynomialSparsityScheduler,
  SparsitySchedulerError,
  type SparsityLevelTarget,
  type SparsitySchedulerParams,
} from '../../src/algorithms/sparsity/schedulers.js';
import { exponentialDecay, multiStep, polynomialDecay } from '../../src/algorithms/sparsity/schedules.js';

/** Records what the scheduler asks of the controller. */
class Recorder implements SparsityLevelTarget {
  levels: number[] = [];
  freezes: number[] = [];
  measured = 0;
  constructor(private readonly withMeasure = false) {
    if (!withMeasure) this.measuredSparsity = undefined;
  }
  freeze(): void {
    this.freezes.push(this.levels.length);
  }
  setSparsityLevel(level: number): void {
    this.levels.push(level);
  }
  measuredSparsity?: () => number = () => this.measured;
}

const base: SparsitySchedulerParams = {
  sparsity_init: 0,
  schedule: 'polynomial',
  sparsity_target: 0.5,
  sparsity_target_epoch: 90,
  sparsity_freeze_epoch: 100,
  update_per_optimizer_step: false,
  multistep_steps: [90],
  multistep_sparsity_levels: [0.1, 0.5],
  patience: 1,
  power: 0.9,
  concave: true,
};

function epochLevels(p: Partial<SparsitySchedulerParams>, epochs: number, rec = new Recorder()): number[] {
  const s = createSparsityScheduler(rec, { ...base, ...p });
  for (let e = 0; e < epochs; e++) s.epochStep();
  return rec.levels;
}

const close = (got: number[], want: number[]) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThan(1e-9));
};

describe('sparsity schedules (NNCF formulas)', () => {
  it('polynomial, exponential and multistep at single points', () => {
    const s = { initial: 0.1, target: 0.5, targetEpoch: 3, power: 2, concave: false };
    expect(polynomialDecay(s, 1)).toBeCloseTo(13 / 90, 12);
    expect(polynomialDecay({ ...s, targetEpoch: 0 }, 0)).toBe(0.5);
    expect(polynomialDecay(s, -1)).toBeCloseTo(0.1, 12); // progress clamped at 0
    expect(exponentialDecay(0.8, 0.4, 2, 1)).toBeCloseTo(0.8 * Math.SQRT1_2, 12);
    expect(exponentialDecay(0.8, 0.4, 0, 0)).toBe(0.4);
    expect(multiStep([2, 3, 4], [0.2, 0.4, 0.5, 0.6], 3)).toBe(0.5);
    expect(multiStep([2], [0.1, 0.5], 1)).toBe(0.1);
    expect(() => multiStep([2], [0.1], 0)).toThrow(/one more value/);
  });
});

describe('sparsity schedulers: level per epoch_step (NNCF test_schedulers)', () => {
  const p = { sparsity_init: 0.2, power: 1, sparsity_target_epoch: 2, sparsity_target: 0.6, sparsity_freeze_epoch: 4 };
  it('polynomial power 1', () => {
    const rec = new Recorder();
    close(epochLevels({ ...p, schedule: 'polynomial' }, 6, rec), [0.2, 0.4, 0.6, 0.6, 0.6, 0.6]);
    expect(rec.freezes).toEqual([4, 5]); // frozen before setting the level at epochs 4 and 5
  });
  it('exponential', () => {
    close(epochLevels({ ...p, schedule: 'exponential' }, 6), [0.2, 1 - 0.8 * Math.SQRT1_2, 0.6, 0.6, 0.6, 0.6]);
    expect(Math.abs(epochLevels({ ...p, schedule: 'exponential' }, 2)[1] - 0.4343145)).toBeLessThan(1e-7);
  });
  it('multistep', () => {
    const ms = { schedule: 'multistep' as const, multistep_steps: [4, 2, 3], multistep_sparsity_levels: [0.2, 0.4, 0.5, 0.6], sparsity_freeze_epoch: 4 };
    close(epochLevels(ms, 6), [0.2, 0.2, 0.4, 0.5, 0.6, 0.6]);
    const s = createSparsityScheduler(new Recorder(), { ...base, ...ms });
    expect(s.targetLevel).toBe(0.6);
    expect(s.currentSparsityLevel).toBe(0.2);
  });
  it('polynomial power 2, convex and concave; freeze from epoch 4', () => {
    const q = { sparsity_init: 0.1, sparsity_target: 0.5, sparsity_target_epoch: 3, sparsity_freeze_epoch: 4, power: 2 };
    close(epochLevels({ ...q, concave: false }, 5), [0.1, 13 / 90, 25 / 90, 0.5, 0.5]);
    const rec = new Recorder();
    close(epochLevels({ ...q, concave: true }, 5, rec), [0.1, 29 / 90, 41 / 90, 0.5, 0.5]);
    expect(rec.freezes).toEqual([4]);
  });
  it('adaptive follows the measured RB sparsity', () => {
    const rec = new Recorder(true);
    const s = createSparsityScheduler(rec, { ...base, schedule: 'adaptive', sparsity_init: 0.2, sparsity_target: 0.4, sparsity_target_epoch: 3, sparsity_freeze_epoch: 7 });
    for (const m of [0.3, 0.2, 0.22, 0.31, 0.34, 0.37, 0.48]) {
      rec.measured = m;
      s.epochStep();
    }
    close(rec.levels, [0.25, 0.25, 0.3, 0.35, 0.4, 0.4, 0.4]);
    expect(rec.freezes).toEqual([]);
  });
  it('adaptive without an RB loss is refused naming the option', () => {
    expect(() => createSparsityScheduler(new Recorder(false), { ...base, schedule: 'adaptive' })).toThrow(SparsitySchedulerError);
    expect(() => createSparsityScheduler(new Recorder(false), { ...base, schedule: 'adaptive' })).toThrow(/params.schedule/);
  });
  it('unknown schedule is an error', () => {
    expect(() => createSparsityScheduler(new Recorder(), { ...base, schedule: 'cosine' as never })).toThrow(/unknown sparsity schedule "cosine"/);
  });
  it('default params: init 0, target 0.5, target epoch 90, freeze 100; level at −1 is init', () => {
    const s = createSparsityScheduler(new Recorder(), base);
    expect([s.initialLevel, s.targetLevel, s.targetEpoch, s.freezeEpoch]).toEqual([0, 0.5, 90, 100]);
    expect(s.currentSparsityLevel).toBe(0);
    expect([s.currentStep, s.currentEpoch]).toEqual([-1, -1]);
  });
});

describe('polynomial per optimizer step', () => {
  const q = { sparsity_init: 0, sparsity_target: 0.8, sparsity_target_epoch: 2, power: 2, concave: true, update_per_optimizer_step: true };
  // level(e, k) = 0.8 − 0.8·(1 − (e + k/4)/2)², k = 0..3 the step inside epoch e
  const want = (e: number, k: number) => 0.8 - 0.8 * Math.pow(1 - Math.min(1, (e + k / 4) / 2), 2);
  it('with steps_per_epoch: every step follows the fractional epoch', () => {
    const rec = new Recorder();
    const s = createSparsityScheduler(rec, { ...base, ...q, steps_per_epoch: 4 });
    const expected: number[] = [];
    for (let e = 0; e < 3; e++) {
      s.epochStep();
      for (let k = 0; k < 4; k++) {
        s.step();
        expected.push(want(e, k));
      }
    }
    expect(rec.levels.length).toBe(12);
    close(rec.levels, expected);
    close(rec.levels.slice(0, 4), [0, 0.1875, 0.35, 0.4875]);
    expect(s.getState()).toEqual({ current_step: 11, current_epoch: 2, _steps_per_epoch: 4, steps_in_current_epoch: 4 });
  });
  it('without steps_per_epoch: the first epoch only measures the step count', () => {
    const rec = new Recorder();
    const s = createSparsityScheduler(rec, { ...base, ...q }) as PolynomialSparsityScheduler;
    s.epochStep();
    for (let k = 0; k < 4; k++) s.step();
    expect(rec.levels).toEqual([]);
    expect([s.currentStep, s.currentEpoch]).toEqual([-1, -1]);
    const expected: number[] = [];
    for (let e = 0; e < 2; e++) {
      s.epochStep();
      for (let k = 0; k < 4; k++) {
        s.step();
        expected.push(want(e, k));
      }
    }
    expect(s.measuredStepsPerEpoch).toBe(4);
    close(rec.levels, expected);
  });
  it('an epoch with another step count is an error', () => {
    const s = createSparsityScheduler(new Recorder(), { ...base, ...q, steps_per_epoch: 4 });
    s.epochStep();
    for (let k = 0; k < 3; k++) s.step();
    expect(() => s.epochStep()).toThrow(/3 optimizer steps, but steps_per_epoch is 4/);
  });
});

describe('scheduler state', () => {
  it('round-trips step/epoch and the adaptive extras', () => {
    const rec = new Recorder(true);
    const s = createSparsityScheduler(rec, { ...base, schedule: 'adaptive', sparsity_init: 0.25 }) as AdaptiveSparsityScheduler;
    expect(s.getState()).toEqual({ current_step: -1, current_epoch: -1, num_bad_epochs: 0, current_sparsity_level: 0.25 });
    rec.measured = 0.3;
    s.epochStep();
    for (let i = 0; i < 5; i++) s.step();
    const t = createSparsityScheduler(new Recorder(true), { ...base, schedule: 'adaptive', sparsity_init: 0.25 }) as AdaptiveSparsityScheduler;
    t.loadState(s.getState());
    expect(t.getState()).toEqual({ current_step: 4, current_epoch: 0, num_bad_epochs: 0, current_sparsity_level: 0.3 });
    expect(t.currentSparsityLevel).toBe(0.3);
  });
  it('exponential/multistep keep only the position; 100 steps and 5 epochs survive a reload', () => {
    for (const schedule of ['exponential', 'multistep', 'polynomial'] as const) {
      const s = createSparsityScheduler(new Recorder(), { ...base, schedule });
      for (let e = 0; e < 5; e++) s.epochStep();
      for (let i = 0; i < 100; i++) s.step();
      const t = createSparsityScheduler(new Recorder(), { ...base, schedule });
      t.loadState(s.getState());
      expect(t.getState()).toEqual({ current_step: 99, current_epoch: 4 });
      expect(t.currentSparsityLevel).toBe(s.currentSparsityLevel);
    }
  });
  it('per-step polynomial resumes mid-epoch on the same curve', () => {
    const q = { ...base, sparsity_target_epoch: 2, update_per_optimizer_step: true, steps_per_epoch: 4 };
    const a = new Recorder();
    const s = createSparsityScheduler(a, q);
    s.epochStep();
    s.step();
    s.step();
    const b = new Recorder();
    const t = createSparsityScheduler(b, q);
    t.loadState(JSON.parse(JSON.stringify(s.getState())));
    s.step();
    t.step();
    expect(b.levels).toEqual([a.levels[2]]);
  });
});
