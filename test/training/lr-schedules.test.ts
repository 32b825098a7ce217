import { describe, expect, it } from 'vitest';
import { NNCFConfig } from '../../src/config/index.js';
import { PlateauSchedule, StagedLrPolicy, TrainingConfigError, lrForEpoch, scheduleLr, trainingSettings } from '../../src/training/index.js';

describe('epoch LR schedules (NNCF sample make_optimizer)', () => {
  it('multistep / step / exponential / poly / cosine closed forms', () => {
    const ms = { type: 'multistep' as const, baseLr: 0.1, gamma: 0.1, steps: [2, 4] };
    expect([0, 1, 2, 3, 4, 5].map((k) => scheduleLr(ms, k))).toEqual([0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1, 0.1 * 0.1 ** 2, 0.1 * 0.1 ** 2]);
    expect(scheduleLr({ type: 'step', baseLr: 1, gamma: 0.5, stepSize: 3 }, 7)).toBe(0.25);
    expect(scheduleLr({ type: 'exponential', baseLr: 1, gamma: 0.9 }, 2)).toBeCloseTo(0.81, 12);
    expect(scheduleLr({ type: 'poly', baseLr: 1, gamma: 0.1, epochs: 10, power: 0.9 }, 5)).toBeCloseTo(0.5 ** 0.9, 12);
    const cos = { type: 'cosine' as const, baseLr: 1, gamma: 0.1, epochs: 4, etaMin: 0.1 };
    expect([0, 2, 4].map((k) => scheduleLr(cos, k))).toEqual([1, 0.1 + 0.9 * 0.5, 0.1].map((x, i) => (i === 1 ? expect.closeTo(x, 12) : x)));
  });
  it('epoch e trains with f(max(e−1,0)) because NNCF steps the scheduler with `epoch` after each epoch', () => {
    const ms = { type: 'multistep' as const, baseLr: 1, gamma: 0.1, steps: [2] };
    expect([0, 1, 2, 3, 4].map((e) => lrForEpoch(ms, e))).toEqual([1, 1, 1, 0.1, 0.1].map((x) => expect.closeTo(x, 12)));
  });
  it('plateau: mode max, abs threshold, patience, cooldown', () => {
    const p = new PlateauSchedule({ type: 'plateau', baseLr: 1, gamma: 0.5, patience: 1, threshold: 0.1, cooldown: 1 });
    // best .5; .55 bad 1; .58 bad 2 > 1 → halve, cooldown 1; .59 cooldown resets; .6 not > .6; .61 new best; .62, .63 bad 1, 2 → halve
    expect([0.5, 0.55, 0.58, 0.59, 0.6, 0.61, 0.62, 0.63].map((m) => p.step(m))).toEqual([1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25]);
  });
  it('poly/cosine need epochs', () => {
    expect(() => scheduleLr({ type: 'poly', baseLr: 1, gamma: 0.1 }, 1)).toThrow(TrainingConfigError);
  });
});

describe('staged quantization LR / WD policy (PolyLRDropScheduler)', () => {
  it('poly drop with fractional epochs and weight decay off after disable_wd_start_epoch', () => {
    const p = new StagedLrPolicy({ base_lr: 0.001, base_wd: 1e-5, lr_poly_drop_start_epoch: 2, lr_poly_drop_duration_epochs: 4, disable_wd_start_epoch: 3 });
    const n = 4;
    const seen: [number, number, number][] = [];
    for (let e = 0; e < 7; e++) {
      for (let i = 0; i < n; i++) {
        p.step(i / n);
        seen.push([e + i / n, p.lr, p.weightDecay]);
      }
      p.epochStep();
    }
    const at = (x: number) => seen.find((s) => Math.abs(s[0] - x) < 1e-9)!;
    expect(at(1.75)[1]).toBe(0.001); // before the drop: base_lr
    expect(at(2)[1]).toBeCloseTo(0.001 * 1 ** 2.1, 15);
    expect(at(3.5)[1]).toBeCloseTo(0.001 * (2.5 / 4) ** 2.1, 15);
    expect(at(5.75)[1]).toBeCloseTo(0.001 * (0.25 / 4) ** 2.1, 15);
    expect(at(6.5)[1]).toBeCloseTo(0.001 * (0.25 / 4) ** 2.1, 15); // after the window: keeps its last value
    expect(at(3)[2]).toBe(1e-5); // e > 3 strictly
    expect(at(3.25)[2]).toBe(0);
  });
  it('defaults: base_lr 1e-3, base_wd 1e-5, no drop', () => {
    const p = new StagedLrPolicy({});
    p.epochStep(40);
    p.step(0.5);
    expect([p.lr, p.weightDecay, p.state.lastEpoch]).toEqual([1e-3, 1e-5, 41]);
  });
});

describe('training keys of NNCF sample configs', () => {
  const cfg = (extra: object) => NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, ...extra });
  it('defaults: adam, base_lr 1e-4, weight_decay 1e-4, step schedule (30, 0.1), batch 32, 1 epoch', () => {
    const s = trainingSettings(cfg({}));
    expect([s.optimizer.type, s.optimizer.baseLr, s.optimizer.weightDecay, s.batchSize, s.epochs, s.batchMultiplier]).toEqual(['adam', 1e-4, 1e-4, 32, 1, 1]);
    expect(s.schedule).toMatchObject({ kind: 'epoch', spec: { type: 'step', stepSize: 30, gamma: 0.1 } });
  });
  it('sgd gets momentum 0.9 only when optimizer_params is absent; rb_sparsity makes the default weight decay 0', () => {
    expect(trainingSettings(cfg({ optimizer: { type: 'SGD' } })).optimizer.momentum).toBe(0.9);
    expect(trainingSettings(cfg({ optimizer: { type: 'sgd', optimizer_params: { nesterov: true, momentum: 0.8 } } })).optimizer).toMatchObject({ momentum: 0.8, nesterov: true });
    expect(trainingSettings(cfg({ optimizer: { type: 'sgd', optimizer_params: {} } })).optimizer.momentum).toBe(0);
    expect(trainingSettings(cfg({ compression: { algorithm: 'rb_sparsity' } })).optimizer.weightDecay).toBe(0);
  });
  it('multistep with steps and gamma, batch_size and epochs, CLI overrides win', () => {
    const s = trainingSettings(cfg({ batch_size: 16, epochs: 5, optimizer: { base_lr: 0.1, schedule_type: 'MultiStep', steps: [2, 4], gamma: 0.5 } }), { epochs: 3 });
    expect([s.batchSize, s.epochs]).toEqual([16, 3]);
    expect(s.schedule).toMatchObject({ kind: 'epoch', spec: { type: 'multistep', steps: [2, 4], gamma: 0.5, baseLr: 0.1 } });
  });
  it('quantization params → staged mode: Adam(base_lr, base_wd), batch_multiplier', () => {
    const s = trainingSettings(cfg({ optimizer: { type: 'sgd' }, compression: { algorithm: 'quantization', params: { base_lr: 3e-4, base_wd: 0, batch_multiplier: 4 } } }));
    expect([s.optimizer.type, s.optimizer.baseLr, s.optimizer.weightDecay, s.batchMultiplier, s.schedule.kind]).toEqual(['adam', 3e-4, 0, 4, 'staged']);
  });
  it('bad values name the option', () => {
    const bad: [object, string][] = [
      [{ optimizer: { type: 'rmsprop' } }, 'optimizer.type'],
      [{ optimizer: { schedule_type: 'onecycle' } }, 'optimizer.schedule_type'],
      [{ optimizer: { schedule_type: 'multistep' } }, 'optimizer.steps'],
      [{ optimizer: { warmup: 3 } }, 'optimizer.warmup'],
      [{ optimizer: { type: 'sgd', optimizer_params: { betas: [0.9, 0.99] } } }, 'optimizer.optimizer_params.betas'],
      [{ optimizer: { type: 'adam', optimizer_params: { amsgrad: true } } }, 'optimizer.optimizer_params.amsgrad'],
      [{ optimizer: { schedule_params: { mode: 'min' } } }, 'optimizer.schedule_params.mode'],
      [{ optimizer: { base_lr: 'fast' } }, 'optimizer.base_lr'],
      [{ optimizer: 3 }, 'optimizer'],
      [{ batch_size: 0 }, 'batch_size'],
      [{ epochs: 1.5 }, 'epochs'],
      [{ compression: { algorithm: 'quantization', params: { batch_multiplier: 0 } } }, 'compression.quantization.params.batch_multiplier'],
    ];
    for (const [extra, option] of bad) {
      let err: unknown;
      try {
        trainingSettings(cfg(extra));
      } catch (e) {
        err = e;
      }
      expect(err, option).toBeInstanceOf(TrainingConfigError);
      expect((err as TrainingConfigError).option).toBe(option);
    }
  });
});
