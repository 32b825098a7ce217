import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BaseScheduler,
  CompositeController,
  CompositeScheduler,
  CompressionStage,
  Statistics,
  algorithmFactory,
  combineStages,
  registerAlgorithm,
  renderTable,
  type CompressionController,
  type ControllerState,
} from '../../src/compression/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

class FakeController implements CompressionController {
  readonly scheduler = new BaseScheduler();
  disabled = false;
  loaded?: ControllerState;
  constructor(
    readonly name: string,
    private stage: CompressionStage,
    private lossValue: number,
  ) {}
  loss() {
    return tf.scalar(this.lossValue);
  }
  statistics() {
    return new Statistics(this.name, { level: this.lossValue });
  }
  compressionStage() {
    return this.stage;
  }
  disableScheduler() {
    this.disabled = true;
  }
  prepareForExport() {}
  editExportGraph() {}
  compressionVariables() {
    return [];
  }
  getState(): ControllerState {
    return { scheduler_state: this.scheduler.getState(), compression_stage: this.stage };
  }
  loadState(s: ControllerState) {
    this.loaded = s;
    this.scheduler.loadState(s.scheduler_state);
  }
  dispose() {}
}

describe('compression stage', () => {
  it('keeps equal stages and mixes to PARTIALLY (NNCF values 0/1/2)', () => {
    const { UNCOMPRESSED: U, PARTIALLY_COMPRESSED: P, FULLY_COMPRESSED: F } = CompressionStage;
    expect([U, P, F]).toEqual([0, 1, 2]);
    expect(combineStages([F, F])).toBe(F);
    expect(combineStages([U, U])).toBe(U);
    expect(combineStages([U, F])).toBe(P);
    expect(combineStages([F, P])).toBe(P);
    expect(combineStages([])).toBe(U);
  });
});

describe('schedulers', () => {
  it('start at -1 and the first call moves to 0', () => {
    const s = new BaseScheduler();
    expect([s.currentStep, s.currentEpoch]).toEqual([-1, -1]);
    s.step();
    s.epochStep();
    expect([s.currentStep, s.currentEpoch]).toEqual([0, 0]);
    s.step(10);
    expect(s.currentStep).toBe(10);
    expect(s.getState()).toEqual({ current_step: 10, current_epoch: 0 });
  });

  it('composite steps children in order and restores them', () => {
    const a = new BaseScheduler();
    const b = new BaseScheduler();
    const c = new CompositeScheduler([a, b]);
    c.epochStep();
    c.epochStep();
    c.step();
    expect([a.currentEpoch, b.currentEpoch, a.currentStep, b.currentStep]).toEqual([1, 1, 0, 0]);
    const state = c.getState();
    const a2 = new BaseScheduler();
    const b2 = new BaseScheduler();
    new CompositeScheduler([a2, b2]).loadState(state);
    expect([a2.currentEpoch, b2.currentStep]).toEqual([1, 0]);
  });
});

describe('composite controller', () => {
  it('sums losses, combines stages, forwards disable/state to children', () => {
    const q = new FakeController('quantization', CompressionStage.FULLY_COMPRESSED, 0);
    const s = new FakeController('magnitude_sparsity', CompressionStage.PARTIALLY_COMPRESSED, 2.5);
    const c = new CompositeController([q, s]);
    const before = tf.memory().numTensors;
    const loss = c.loss();
    expect(loss.dataSync()[0]).toBeCloseTo(2.5, 6);
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(c.compressionStage()).toBe(CompressionStage.PARTIALLY_COMPRESSED);
    c.disableScheduler();
    expect(q.disabled && s.disabled).toBe(true);
    c.scheduler.epochStep();
    const state = c.getState();
    expect(Object.keys(state).sort()).toEqual(['compression_stage', 'magnitude_sparsity', 'quantization', 'scheduler_state']);
    const q2 = new FakeController('quantization', CompressionStage.UNCOMPRESSED, 0);
    const s2 = new FakeController('magnitude_sparsity', CompressionStage.UNCOMPRESSED, 0);
    new CompositeController([q2, s2]).loadState(state);
    expect(q2.scheduler.currentEpoch).toBe(0);
    expect(s2.loaded?.compression_stage).toBe(CompressionStage.PARTIALLY_COMPRESSED);
    expect(c.statistics().toDict()).toEqual({ 'quantization/level': 0, 'magnitude_sparsity/level': 2.5 });
  });
});

describe('statistics rendering', () => {
  it('renders aligned tables with numbers right-aligned', () => {
    const text = renderTable({ title: 'T', header: ['Name', 'Count'], rows: [['conv', 3], ['fc', 12]] });
    expect(text.split('\n')).toEqual([
      'T',
      '┌──────┬───────┐',
      '│ Name │ Count │',
      '├──────┼───────┤',
      '│ conv │     3 │',
      '│ fc   │    12 │',
      '└──────┴───────┘',
    ]);
    expect(new Statistics('q', { ratio: 0.5 }).toString()).toContain('│ ratio     │ 0.5000 │');
  });
});

describe('algorithm registry', () => {
  it('rejects a name registered twice and names implemented algorithms for unknown ones', () => {
    registerAlgorithm('test_algo_x', () => ({}) as never);
    expect(() => registerAlgorithm('test_algo_x', () => ({}) as never)).toThrow(/registered twice/);
    expect(() => algorithmFactory('no_such_algo')).toThrow(/"no_such_algo" is not built yet.*test_algo_x/);
  });
});
