/**
 * Progress on `compress`: the stderr line printer (format, rate, ETA, throttling, quiet off a TTY) and
 * the initialization loops that feed it (statistics, BN adaptation, HAWQ traces, AutoQ episodes) with
 * their counts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel } from '../../src/api.js';
import { formatDuration, formatProgress, lineProgressSink } from '../../src/cli/progress-line.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset, ndarray } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { autoqSearchLoop, hutchinsonTraces, setProgressSink, startProgress, type AutoQEnv, type ProgressSink } from '../../src/initialization/index.js';
import { mobilenetV2Style } from '../helpers/models.js';
import { seededFloats } from '../onnx/ort-utils.js';

/** Records every task: label, total, unit, the ticks and whether done() came. */
function recorder() {
  const tasks: { label: string; total: number; unit: string; ticks: number; done: boolean }[] = [];
  const sink: ProgressSink = {
    start(label, total, unit) {
      const t = { label, total, unit, ticks: 0, done: false };
      tasks.push(t);
      return { tick: (n = 1) => void (t.ticks += n), done: () => void (t.done = true) };
    },
  };
  return { tasks, sink };
}

beforeAll(() => initBackend('wasm'));
afterEach(() => void setProgressSink(null));

describe('formatProgress / formatDuration', () => {
  it('count, rate and ETA; the elapsed time at the end', () => {
    expect(formatProgress('Statistics collection', 0, 64, 'batches', 0)).toBe('Statistics collection  0/64 batches');
    // 12 batches in 3.75 s: 3.2 batches/s, 52 left → 16.25 s
    expect(formatProgress('Statistics collection', 12, 64, 'batches', 3750)).toBe('Statistics collection  12/64 batches  3.2 batches/s  ETA 16s');
    expect(formatProgress('AutoQ episodes', 3, 300, 'episodes', 6000)).toBe('AutoQ episodes  3/300 episodes  0.50 episodes/s  ETA 9m54s');
    expect(formatProgress('BatchNorm adaptation', 40, 40, 'steps', 2000)).toBe('BatchNorm adaptation  40/40 steps  20 steps/s  in 2.0s');
    expect([formatDuration(420), formatDuration(42_400), formatDuration(65_000), formatDuration(3_725_000), formatDuration(NaN)]).toEqual(['0.4s', '42s', '1m05s', '1h02m', '?']);
  });
});

describe('lineProgressSink', () => {
  const stream = (isTTY: boolean) => {
    const out: string[] = [];
    return { out, s: { isTTY, write: (x: string) => out.push(x) } };
  };

  it('on a TTY: draws at start, at most every interval, at the last unit, then a newline once', () => {
    const { out, s } = stream(true);
    let t = 0;
    const task = lineProgressSink({ stream: s, now: () => t, intervalMs: 100 })!.start('BN', 4, 'steps');
    t = 50;
    task.tick(); // 50 ms after the first draw: not redrawn
    t = 150;
    task.tick(); // 150 ms: redrawn
    t = 160;
    task.tick(2); // the last unit: redrawn at once
    task.done();
    task.done();
    expect(out).toEqual([
      '\rBN  0/4 steps\x1b[K',
      '\rBN  2/4 steps  13 steps/s  ETA 0.1s\x1b[K',
      '\rBN  4/4 steps  25 steps/s  in 0.2s\x1b[K',
      '\rBN  4/4 steps  25 steps/s  in 0.2s\x1b[K',
      '\n',
    ]);
  });

  it('nothing when not a TTY or --quiet; startProgress without a sink is a no-op', () => {
    expect(lineProgressSink({ stream: stream(false).s })).toBeNull();
    expect(lineProgressSink({ stream: stream(true).s, quiet: true })).toBeNull();
    setProgressSink(null);
    const t = startProgress('x', 3, 'u');
    t.tick();
    t.done();
    const { tasks, sink } = recorder();
    setProgressSink(sink);
    startProgress('empty', 0, 'u').tick();
    expect(tasks).toEqual([]);
  });
});

describe('initialization reports its loops', () => {
  it('createCompressedModel: statistics collection (ceil(12/4) = 3 batches), then BN adaptation (3 steps)', async () => {
    const { tasks, sink } = recorder();
    setProgressSink(sink);
    const graph = await loadOnnxModel(mobilenetV2Style({ size: 16 }).bytes);
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 16, 16] },
      compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 12 }, batchnorm_adaptation: { num_bn_adaptation_samples: 12 } } },
    });
    const dataset = new Dataset(ndarray('float32', [12, 3, 16, 16], seededFloats(12 * 3 * 16 * 16, 4)));
    const { QuantizationRangeInitArgs, BNAdaptationInitArgs } = await import('../../src/config/index.js');
    config.registerExtraStructs([new QuantizationRangeInitArgs({ dataset, batchSize: 4 }), new BNAdaptationInitArgs({ dataset, batchSize: 4 })]);
    const r = await createCompressedModel(graph, config);
    expect(tasks).toEqual([
      { label: 'Statistics collection (onnxruntime)', total: 3, unit: 'batches', ticks: 3, done: true },
      { label: 'BatchNorm adaptation', total: 3, unit: 'steps', ticks: 3, done: true },
    ]);
    r.controller.dispose();
    r.model.engine.dispose();
  }, 180_000);

  it('HAWQ traces: iter_number × batches Hessian-vector products at most; AutoQ: one tick per episode', async () => {
    const { tasks, sink } = recorder();
    setProgressSink(sink);
    const v = tf.variable(tf.scalar(0), true, 'progress-test/v');
    // a "gradient" 2·v: every estimate is 2, so the mean converges at iteration 2 (of 10) with 3 batches each
    await hutchinsonTraces({ params: [v], numBatches: 3, iterNumber: 10, tolerance: 1e-3, seed: 0, epsilon: 0.5, gradients: () => [tf.mul(v, 2)] });
    v.dispose();
    const env: AutoQEnv = {
      steps: 2, stateSize: 2, prevActionFeature: 1,
      reset() {}, observation: () => [0, 0],
      step: () => ({ observation: [0, 0], done: true, bits: 8 }),
      finish: () => ({ bits: [8], unconstrained: [8], sizeRatio: 1 }),
    } as unknown as AutoQEnv;
    await autoqSearchLoop(env, async () => ({ score: 1, reward: 1 }), { iterNumber: 4, warmupIterNumber: 4, seed: 3, ddpg: { hidden1: 8, hidden2: 8 } });
    expect(tasks).toEqual([
      { label: 'HAWQ Hessian traces', total: 30, unit: 'Hv products', ticks: 6, done: true },
      { label: 'AutoQ episodes', total: 4, unit: 'episodes', ticks: 4, done: true },
    ]);
  }, 180_000);
});
