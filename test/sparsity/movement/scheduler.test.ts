/**
 * movement_sparsity's scheduler (NNCF's MovementPolynomialThresholdScheduler and its params): stage,
 * threshold and λ after each step() equal the spec's formulas (values written exactly, and NNCF's own
 * 4-decimal reference lists from tests/torch/sparsity/movement/test_scheduler.py), the measured
 * steps_per_epoch, structured resolution + freeze exactly once on the first POST step, state round trip,
 * and every refused params combination with its message.
 */
import { describe, expect, it } from 'vitest';
import {
  MovementPolynomialThresholdScheduler,
  MovementSchedulerStage,
  movementSchedulerParams,
  type MovementScheduleTarget,
  type MovementSchedulerParams,
} from '../../../src/algorithms/sparsity/index.js';
import type { ResolvedMovementSparsity } from '../../../src/config/index.js';

function target(init = -1) {
  const calls = { set: [] as [number, number][], resolve: 0, freeze: 0, init: 0, warnings: [] as string[] };
  const t: MovementScheduleTarget = {
    setImportanceThresholdAndFactor: (a, b) => calls.set.push([a, b]),
    calcInitThreshold: () => (calls.init++, init),
    resolveStructuredMasks: () => calls.resolve++,
    freeze: () => calls.freeze++,
    warn: (l) => calls.warnings.push(l),
  };
  return { t, calls };
}

const P = (p: Partial<MovementSchedulerParams>): MovementSchedulerParams => ({
  warmupStartEpoch: 1, warmupEndEpoch: 3, importanceRegularizationFactor: 0.1, enableStructuredMasking: false,
  finalImportanceThreshold: 0, power: 3, ...p,
});

function run(s: MovementPolynomialThresholdScheduler, epochs: number, spe: number) {
  const th: number[] = [], f: number[] = [];
  for (let e = 0; e < epochs; e++) {
    s.epochStep();
    for (let i = 0; i < spe; i++) {
      s.step();
      th.push(s.currentImportanceThreshold);
      f.push(s.currentImportanceRegularizationFactor);
    }
  }
  return { th, f };
}

const close = (got: number[], want: number[], tol: number) => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => (Number.isFinite(want[i]) ? expect(Math.abs(v - want[i]), `#${i}`).toBeLessThanOrEqual(tol) : expect(v).toBe(want[i])));
};
const NINF = -Infinity;

describe('movement scheduler trajectories', () => {
  it('normal warm-up (power 2, epochs 1→3, init −1, final 0, λ 0.1, 4 steps/epoch): threshold −(1−p)², λ 0.1·(1−(1−p)²), p = k/8', () => {
    const { t, calls } = target();
    const s = new MovementPolynomialThresholdScheduler(t, P({ power: 2, initImportanceThreshold: -1, stepsPerEpoch: 4 }));
    const { th, f } = run(s, 5, 4);
    const warm = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => ((8 - k) / 8) ** 2);
    close(th, [NINF, NINF, NINF, NINF, ...warm.map((v) => -v), ...new Array(8).fill(0)], 1e-12);
    close(f, [0, 0, 0, 0, ...warm.map((v) => 0.1 * (1 - v)), ...new Array(8).fill(0.1)], 1e-12);
    // NNCF's reference list (4 decimals)
    close(th, [NINF, NINF, NINF, NINF, -1, -0.7656, -0.5625, -0.3906, -0.25, -0.1406, -0.0625, -0.0156, 0, 0, 0, 0, 0, 0, 0, 0], 1e-4);
    close(f, [0, 0, 0, 0, 0, 0.0234, 0.0438, 0.0609, 0.075, 0.0859, 0.0938, 0.0984, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], 1e-4);
    expect(calls.freeze).toBe(1);
    expect(calls.resolve).toBe(0); // enable_structured_masking false
    // the controller hears only changes (NNCF's cache)
    expect(calls.set.length).toBe(1 + 8 + 1);
  });

  it('warm-up past the run (power 4, epochs 2→8, init 0, final 5, λ 10, 3 steps/epoch): 5·(1−(1−k/18)⁴)', () => {
    const { t, calls } = target();
    const s = new MovementPolynomialThresholdScheduler(t, P({ power: 4, warmupStartEpoch: 2, warmupEndEpoch: 8, initImportanceThreshold: 0, finalImportanceThreshold: 5, importanceRegularizationFactor: 10, stepsPerEpoch: 3 }));
    const { th, f } = run(s, 5, 3);
    const scale = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => 1 - (1 - k / 18) ** 4);
    close(th, [...new Array(6).fill(NINF), ...scale.map((v) => 5 * v)], 1e-12);
    close(f, [0, 0, 0, 0, 0, 0, ...scale.map((v) => 10 * v)], 1e-12);
    close(th.slice(6), [0, 1.0219, 1.8785, 2.5887, 3.1702, 3.6396, 4.0123, 4.3027, 4.5237], 1e-4);
    close(f.slice(6), [0, 2.0438, 3.757, 5.1775, 6.3405, 7.2793, 8.0247, 8.6053, 9.0474], 1e-4);
    expect(s.currentStage).toBe(MovementSchedulerStage.IN_WARMUP);
    expect(calls.freeze).toBe(0);
  });

  it('unspecified init threshold: computed once, on the first warm-up step', () => {
    const { t, calls } = target(-1);
    const s = new MovementPolynomialThresholdScheduler(t, P({ power: 2, stepsPerEpoch: 4 }));
    expect(s.initThreshold).toBeUndefined();
    const { th } = run(s, 5, 4);
    expect(calls.init).toBe(1);
    expect(th[4]).toBe(-1);
    expect(th[5]).toBeCloseTo(-49 / 64, 12);
    expect(s.initThreshold).toBe(-1);
  });

  it('a computed init threshold ≥ final warns as NNCF does', () => {
    const { t, calls } = target(0.5);
    const s = new MovementPolynomialThresholdScheduler(t, P({ stepsPerEpoch: 2 }));
    run(s, 2, 2);
    expect(calls.warnings).toEqual([expect.stringContaining('computed init_importance_threshold (0.5) is equal to or greater than final_importance_threshold (0)')]);
  });

  it.each([[undefined], [2]])('stages by epoch (steps_per_epoch %s): PRE, IN, IN, POST, POST', (spe) => {
    const s = new MovementPolynomialThresholdScheduler(target().t, P({ initImportanceThreshold: -0.1, stepsPerEpoch: spe }));
    const stages: MovementSchedulerStage[] = [];
    for (let e = 0; e < 5; e++) {
      s.epochStep();
      for (let i = 0; i < 2; i++) {
        s.step();
        stages.push(s.currentStage);
      }
    }
    expect(stages).toEqual([0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it('steps_per_epoch measured in epoch 0 (nothing scheduled there); a later epoch of another length is an error', () => {
    const { t, calls } = target();
    const s = new MovementPolynomialThresholdScheduler(t, P({ power: 2, initImportanceThreshold: -1 }));
    s.epochStep();
    for (let i = 0; i < 4; i++) s.step();
    expect(s.measuredStepsPerEpoch).toBeUndefined();
    expect(calls.set).toEqual([]);
    s.epochStep();
    expect(s.measuredStepsPerEpoch).toBe(4);
    s.step();
    s.step();
    expect(s.currentImportanceThreshold).toBeCloseTo(-0.765625, 12);
    expect(s.currentImportanceRegularizationFactor).toBeCloseTo(0.0234375, 12);
    s.step();
    expect(() => s.epochStep()).toThrow(/this epoch had 3 optimizer steps, but steps_per_epoch is 4/);
  });

  it('structured masks resolved, then frozen, exactly once, on the first POST step (warm-up 0→1, 2 steps/epoch)', () => {
    const { t, calls } = target();
    const s = new MovementPolynomialThresholdScheduler(t, P({ warmupStartEpoch: 0, warmupEndEpoch: 1, initImportanceThreshold: -0.1, stepsPerEpoch: 2, enableStructuredMasking: true }));
    s.epochStep();
    s.step();
    s.step();
    s.epochStep();
    expect([calls.resolve, calls.freeze]).toEqual([0, 0]);
    s.step();
    expect([calls.resolve, calls.freeze]).toEqual([1, 1]);
    s.step();
    s.epochStep();
    s.step();
    expect([calls.resolve, calls.freeze]).toEqual([1, 1]);
  });

  it('state: NNCF keys; a reload mid-run continues the same trajectory', () => {
    const params = P({ power: 2, initImportanceThreshold: undefined });
    const a = new MovementPolynomialThresholdScheduler(target(-0.1).t, params);
    expect(a.getState()).toEqual({ current_epoch: -1, current_step: -1, _init_importance_threshold: null, _steps_per_epoch: null });
    const ref: number[] = [];
    let saved: object = {};
    for (let e = 0; e < 5; e++) {
      a.epochStep();
      for (let i = 0; i < 8; i++) {
        a.step();
        if (a.currentStep === 10) saved = JSON.parse(JSON.stringify(a.getState()));
        else if (a.currentStep > 10) ref.push(a.currentImportanceThreshold, a.currentImportanceRegularizationFactor);
      }
    }
    expect(saved).toEqual({ current_epoch: 1, current_step: 10, _init_importance_threshold: -0.1, _steps_per_epoch: 8 });
    const b = new MovementPolynomialThresholdScheduler(target(99).t, params);
    b.loadState(saved as never);
    const got: number[] = [];
    for (let i = 11; i < 16; i++) {
      b.step();
      got.push(b.currentImportanceThreshold, b.currentImportanceRegularizationFactor);
    }
    for (let e = 2; e < 5; e++) {
      b.epochStep();
      for (let i = 0; i < 8; i++) {
        b.step();
        got.push(b.currentImportanceThreshold, b.currentImportanceRegularizationFactor);
      }
    }
    expect(got).toEqual(ref);
  });
});

const section = (params: object | undefined) => ({ algorithm: 'movement_sparsity', params }) as unknown as ResolvedMovementSparsity;
const filled = (p: object) => section({ enable_structured_masking: true, power: 3, final_importance_threshold: 0, ...p });

describe('movement params (NNCF MovementSchedulerParams)', () => {
  it('minimal params get NNCF defaults: power 3, final 0, structured masking on, init and steps_per_epoch undefined', () => {
    expect(movementSchedulerParams(filled({ warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 1 }))).toEqual({
      warmupStartEpoch: 1, warmupEndEpoch: 2, importanceRegularizationFactor: 1, enableStructuredMasking: true,
      initImportanceThreshold: undefined, finalImportanceThreshold: 0, power: 3, stepsPerEpoch: undefined,
    });
  });
  it.each([
    [undefined, /warmup_start_epoch, .*warmup_end_epoch and .*importance_regularization_factor are required/],
    [{ warmup_start_epoch: 0, warmup_end_epoch: 2, importance_regularization_factor: 1 }, /warmup_start_epoch must be >= 1 to measure steps_per_epoch/],
    [{ warmup_start_epoch: 3, warmup_end_epoch: 2, importance_regularization_factor: 1 }, /0 <= warmup_start_epoch < warmup_end_epoch/],
    [{ warmup_start_epoch: -1, warmup_end_epoch: 2, importance_regularization_factor: 1, steps_per_epoch: 4 }, /0 <= warmup_start_epoch < warmup_end_epoch/],
    [{ warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: -1 }, /importance_regularization_factor must not be negative/],
    [{ warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 1, steps_per_epoch: 2.5 }, /steps_per_epoch must be a positive integer/],
  ])('refuses %j', (p, msg) => {
    expect(() => movementSchedulerParams(p === undefined ? section(undefined) : filled(p))).toThrow(msg);
  });
  it.each([[2], [1]])('init_importance_threshold 2 ≥ final %s warns', (final) => {
    const lines: string[] = [];
    movementSchedulerParams(filled({ warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 1, init_importance_threshold: 2, final_importance_threshold: final }), (l) => lines.push(l));
    expect(lines).toEqual([expect.stringContaining('init_importance_threshold (2) is equal to or greater than final_importance_threshold')]);
  });
});
