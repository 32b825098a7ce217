import { describe, expect, it } from 'vitest';
import {
  ChannelValueStore,
  PercentileCollector,
  initBatchCount,
  matchesAnyScope,
  parseRangeInitParams,
  quantiles,
  rangeInitConfigFor,
} from '../../src/initialization/range/index.js';

describe('bounded memory for percentile / threesigma', () => {
  it('keeps every value exactly while under the budget', () => {
    const s = new ChannelValueStore(2, 8);
    s.add(0, new Float32Array([5, 1, 3]), 0, 3);
    s.add(1, new Float32Array([9, 8]), 0, 2);
    expect(s.exact).toBe(true);
    expect(Array.from(s.values(0))).toEqual([5, 1, 3]);
    expect(Array.from(s.values(1))).toEqual([9, 8]);
  });

  it('beyond the budget keeps a uniform, seeded sample of fixed size', () => {
    const run = (seed: number) => {
      const c = new PercentileCollector({ channelAxis: null, maxBatches: null, minPercentile: 10, maxPercentile: 90, maxStoredValues: 4096, seed });
      // 50 batches of 2000 values: 0..99999 in order; exact p10 = 9999.9, p90 = 89999.1
      for (let b = 0; b < 50; b++) c.register(Float32Array.from({ length: 2000 }, (_, i) => b * 2000 + i), [2000]);
      return c;
    };
    const c = run(1);
    expect(c.exact).toBe(false);
    const s = c.statistic();
    // a 4096-value uniform sample estimates a percentile within ~1.5 % of the range
    expect(Math.abs(s.min[0] - 9999.9)).toBeLessThan(1500);
    expect(Math.abs(s.max[0] - 89999.1)).toBeLessThan(1500);
    const again = run(1).statistic();
    expect(Array.from(again.min)).toEqual(Array.from(s.min));
    expect(Array.from(again.max)).toEqual(Array.from(s.max));
  });

  it('the stored sample never exceeds the budget', () => {
    const store = new ChannelValueStore(1, 100);
    const data = Float32Array.from({ length: 10_000 }, (_, i) => i);
    for (let k = 0; k < 5; k++) store.add(0, data, 0, data.length);
    expect(store.values(0).length).toBe(100);
    // every kept value is one of the offered ones, and they are spread over the range
    const kept = Array.from(store.values(0));
    expect(kept.every((v) => Number.isInteger(v) && v >= 0 && v < 10_000)).toBe(true);
    expect(Math.max(...kept) - Math.min(...kept)).toBeGreaterThan(5000);
  });
});

describe('initializer.range config (config-reference §4.1)', () => {
  it('absent or empty section → 256 samples of mixed_min_max', () => {
    for (const r of [undefined, {}]) {
      const p = parseRangeInitParams(r);
      expect(p.global).toEqual({ type: 'mixed_min_max', numInitSamples: 256, params: {} });
      expect(p.maxNumInitSamples).toBe(256);
    }
  });

  it('global object form; num_init_samples 0 skips range init', () => {
    const p = parseRangeInitParams({ type: 'percentile', num_init_samples: 0, params: { min_percentile: 1 } });
    expect(p.global).toEqual({ type: 'percentile', numInitSamples: 0, params: { min_percentile: 1 } });
    expect(p.maxNumInitSamples).toBe(0);
    expect(rangeInitConfigFor(p, 'conv|WEIGHT', 'weights').type).toBe('percentile');
  });

  it('array form: group- and scope-specific entries; exactly one must match', () => {
    const p = parseRangeInitParams([
      { type: 'min_max', num_init_samples: 64, target_quantizer_group: 'weights', ignored_scopes: [] },
      { type: 'threesigma', num_init_samples: 128, target_quantizer_group: 'activations', target_scopes: '{re}conv[0-9]+' },
      { type: 'percentile', num_init_samples: 32, target_quantizer_group: 'activations', target_scopes: ['fc|OUTPUT'] },
    ]);
    expect(p.global).toBeNull();
    expect(p.maxNumInitSamples).toBe(128);
    expect(rangeInitConfigFor(p, 'Net/conv1|WEIGHT', 'weights').type).toBe('min_max');
    expect(rangeInitConfigFor(p, 'Net/conv12|OUTPUT', 'activations')).toEqual({ type: 'threesigma', numInitSamples: 128, params: {} });
    expect(rangeInitConfigFor(p, 'fc|OUTPUT', 'activations').type).toBe('percentile');
    expect(() => rangeInitConfigFor(p, 'relu|OUTPUT', 'activations')).toThrow(/does not match any per-layer/);
    const both = parseRangeInitParams([{ target_scopes: '{re}.*' }, { ignored_scopes: 'x' }]);
    expect(() => rangeInitConfigFor(both, 'a|OUTPUT', 'activations')).toThrow(/matches more than one/);
  });

  it('scope matching: exact names, or {re} removed and searched anywhere', () => {
    expect(matchesAnyScope('ResNet/Conv2d[conv1]/conv2d_0', ['ResNet/Conv2d[conv1]/conv2d_0'])).toBe(true);
    expect(matchesAnyScope('ResNet/Conv2d[conv1]/conv2d_0', ['conv1'])).toBe(false);
    expect(matchesAnyScope('ResNet/Conv2d[conv1]/conv2d_0', ['{re}Conv2d\\[conv1\\]'])).toBe(true);
    expect(matchesAnyScope('a', [])).toBe(false);
  });

  it('errors name the offending entry', () => {
    expect(() => parseRangeInitParams({ num_init_samples: -1 })).toThrow(/initializer\.range\.num_init_samples: Number of initialization samples must be >= 0/);
    expect(() => parseRangeInitParams({ type: 'kl' })).toThrow(/initializer\.range\.type: unknown range init type "kl"/);
    expect(() => parseRangeInitParams([{ type: 'min_max' }])).toThrow(/initializer\.range\[0\]: At least one of the \(target_scopes, ignored_scopes\)/);
    expect(() => parseRangeInitParams([{ target_scopes: 'a', target_quantizer_group: 'bias' }])).toThrow(/target_quantizer_group/);
    expect(() => parseRangeInitParams([{ target_scopes: 3 }])).toThrow(/target_scopes must be a string or an array/);
    expect(() => parseRangeInitParams({ params: [1] })).toThrow(/params must be an object/);
    expect(() => parseRangeInitParams(5)).toThrow(/must be an object or an array/);
  });

  it('batches = ceil(num_init_samples / batch_size)', () => {
    expect(initBatchCount(256, 64)).toBe(4);
    expect(initBatchCount(300, 64)).toBe(5);
    expect(initBatchCount(0, 8)).toBe(0);
    expect(() => initBatchCount(-1, 8)).toThrow(/>= 0/);
    expect(() => initBatchCount(10, 0)).toThrow(/batch size/);
  });
});

describe('quantiles (torch.quantile linear interpolation, quickselect)', () => {
  it('hand-computed values, ends and duplicates', () => {
    const v = [4, -7, 1, 0, 6, -3, 1, 2, -1, 0.5, 0, 1];
    expect(quantiles(v, [0, 1, 0.5])).toEqual([-7, 6, 0.75]); // sorted: -7 -3 -1 0 0 .5 1 1 1 2 4 6
    expect(quantiles(v, [0.1, 0.9]).map((x) => +x.toFixed(10))).toEqual([-2.8, 3.8]);
    expect(quantiles([5], [0.3, 0.999])).toEqual([5, 5]);
    expect(quantiles([2, 1], [0.25])).toEqual([1.25]);
    expect(Number.isNaN(quantiles([], [0.5])[0])).toBe(true);
  });

  it('agrees with a full sort on random data', () => {
    let s = 3;
    const data = Float32Array.from({ length: 5001 }, () => ((s = (s * 48271) % 2147483647) % 1000) - 500);
    const sorted = Float64Array.from(data).sort();
    for (const q of [0, 0.001, 0.1, 0.5, 0.77, 0.999, 1]) {
      const pos = q * (sorted.length - 1);
      const lo = Math.floor(pos);
      const hi = Math.min(lo + 1, sorted.length - 1);
      expect(quantiles(data, [q])[0]).toBeCloseTo(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo), 9);
    }
  });
});
