import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Quantizer } from '../../src/algorithms/quantization/fake-quantize/index.js';
import { createRangeCollector, weightRangeStatistic } from '../../src/initialization/range/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('statistics → apply_minmax_init', () => {
  it('per-channel symmetric weights: scale per output channel, tiny channels floored at 0.1', () => {
    const w = new Float32Array([0.5, -2, 0.01, -0.25, 1, 0.02]); // [1,1,2,3]
    const s = weightRangeStatistic({ type: 'mixed_min_max', mode: 'symmetric', channelAxis: 3 }, w, [1, 1, 2, 3]);
    const q = new Quantizer({ bits: 8, mode: 'symmetric', signedToForce: true, narrowRange: true, perChannel: true, rank: 4, channelAxis: 3, channels: 3 });
    q.applyMinMaxInit(s.min, s.max, 'conv|WEIGHT');
    expect(Array.from(q.scale())).toEqual([0.5, 2, Math.fround(0.1)]);
    expect(q.signed).toBe(true);
    q.dispose();
  });

  it('activations after ReLU: unsigned symmetric with mixed_min_max mean of per-sample maxima', () => {
    const c = createRangeCollector({ type: 'mixed_min_max', mode: 'symmetric', isWeights: false, channelAxis: null, maxBatches: 2 });
    c.register(new Float32Array([0, 1, 2, 0, 0, 4]), [2, 3]);
    c.register(new Float32Array([3, 0, 0, 0, 6, 1]), [2, 3]);
    const s = c.statistic();
    const q = new Quantizer({ bits: 8, mode: 'symmetric' });
    q.applyMinMaxInit(s.min, s.max);
    expect(q.signed).toBe(false);
    expect(q.scale()[0]).toBeCloseTo((2 + 4 + 3 + 6) / 4, 6);
    expect(q.qdqParams().dtype).toBe('uint8');
    q.dispose();
  });
});
