import { describe, expect, it } from 'vitest';
import {
  FLOAT32_EPS,
  MAD_TO_SIGMA,
  RangeStatisticsError,
  createRangeCollector,
  medianAndMad,
  weightRangeStatistic,
  type RangeCollectorOptions,
  type RangeInitType,
} from '../../src/initialization/range/index.js';

// Two activation batches of shape [2 samples, 3 features]:
//   batch 1: [-1, 2, 0.5] [0, 4, -3]     batch 2: [1, 1, 1] [-7, 6, 0]
// per-sample mins -1 -3 1 -7, maxes 2 4 1 6, |max| 2 4 1 7; per-batch mins -3 -7, maxes 4 6, |max| 4 7.
const B1 = new Float32Array([-1, 2, 0.5, 0, 4, -3]);
const B2 = new Float32Array([1, 1, 1, -7, 6, 0]);
const SHAPE = [2, 3];

function stat(type: RangeInitType, mode: 'symmetric' | 'asymmetric', extra: Partial<RangeCollectorOptions> = {}) {
  const c = createRangeCollector({ type, mode, isWeights: false, channelAxis: null, ...extra });
  c.register(B1, SHAPE);
  c.register(B2, SHAPE);
  const s = c.statistic();
  return [Array.from(s.min), Array.from(s.max)];
}

const near = (actual: number[][], expected: number[][], digits = 5) =>
  expected.forEach((row, r) => row.forEach((e, i) => expect(actual[r][i]).toBeCloseTo(e, digits)));

describe('range statistics on fixed arrays (spec §2)', () => {
  it('min_max: global min, global max (abs max for symmetric)', () => {
    expect(stat('min_max', 'symmetric')).toEqual([[-7], [7]]);
    expect(stat('min_max', 'asymmetric')).toEqual([[-7], [6]]);
  });

  it('mixed_min_max, per-tensor activations: mean of per-sample maxes; mins averaged only for asymmetric', () => {
    expect(stat('mixed_min_max', 'symmetric')).toEqual([[-7], [(2 + 4 + 1 + 7) / 4]]);
    expect(stat('mixed_min_max', 'asymmetric')).toEqual([[(-1 - 3 + 1 - 7) / 4], [(2 + 4 + 1 + 6) / 4]]);
  });

  it('mean_min_max: mean over batches of per-batch min / max', () => {
    expect(stat('mean_min_max', 'symmetric')).toEqual([[-5], [5.5]]);
    expect(stat('mean_min_max', 'asymmetric')).toEqual([[-5], [5]]);
  });

  it('threesigma: median (ignoring |x| < eps) ± 3·1.4826·MAD (MAD over all values)', () => {
    // nonzero sorted: -7 -3 -1 .5 1 1 1 2 4 6 → median 1; |x-1| over all 12 → median 1
    near(stat('threesigma', 'symmetric'), [[1 - 3 * 1.482623], [1 + 3 * 1.482623]]);
    expect(MAD_TO_SIGMA).toBe(1.482623);
    const m = medianAndMad(new Float32Array([0, 0, 0, FLOAT32_EPS / 2, 5, 7]));
    expect(m.median).toBe(6); // the near-zero values do not count for the median...
    expect(m.mad).toBeCloseTo(6, 6); // ...but do for MAD: |x-6| = 6 6 6 6 1 1 → 6
    expect(medianAndMad(new Float32Array([0, 0])).median).toBe(0);
  });

  it('percentile: linear-interpolated percentiles of all values; defaults 0.1 / 99.9', () => {
    // all 12 sorted: -7 -3 -1 0 0 .5 1 1 1 2 4 6
    near(stat('percentile', 'symmetric', { params: { min_percentile: 10, max_percentile: 90 } }), [[-2.8], [3.8]]);
    near(stat('percentile', 'asymmetric'), [[-7 + 0.011 * 4], [4 + 0.989 * 2]]);
    // NNCF takes the smaller percentile as min whatever the key says
    near(stat('percentile', 'asymmetric', { params: { min_percentile: 90, max_percentile: 10 } }), [[-2.8], [3.8]]);
  });

  it('mean_percentile: mean over batches of per-batch percentiles', () => {
    // batch 1 sorted -3 -1 0 .5 2 4 → p10 -2, p90 3; batch 2 sorted -7 0 1 1 1 6 → p10 -3.5, p90 3.5
    near(stat('mean_percentile', 'symmetric', { params: { min_percentile: 10, max_percentile: 90 } }), [[-2.75], [3.25]]);
  });

  it('per-channel activations: mixed_min_max takes min of mins / max of maxes per channel', () => {
    const c = createRangeCollector({ type: 'mixed_min_max', mode: 'asymmetric', isWeights: false, channelAxis: 1 });
    c.register(new Float32Array([1, -5, 3, 2]), [2, 2]);
    c.register(new Float32Array([0.5, 9, 4, -1]), [2, 2]);
    const s = c.statistic();
    expect(Array.from(s.min)).toEqual([0.5, -5]);
    expect(Array.from(s.max)).toEqual([4, 9]);
  });

  it('weights are one batch-wise sample, per output channel of a tfjs conv kernel [kh,kw,cin,cout]', () => {
    // cin 0: [0.5, -2, 0.01], cin 1: [-0.25, 1, 0.02]
    const w = new Float32Array([0.5, -2, 0.01, -0.25, 1, 0.02]);
    const s = weightRangeStatistic({ type: 'mixed_min_max', mode: 'symmetric', channelAxis: 3 }, w, [1, 1, 2, 3]);
    expect(Array.from(s.min)).toEqual([-0.25, -2, Math.fround(0.01)]);
    expect(Array.from(s.max)).toEqual([0.5, 2, Math.fround(0.02)]);
  });
});

describe('layouts: the ORT path (NCHW, axis 1) and the engine path (NHWC, axis 3) agree', () => {
  const [N, C, H, W] = [3, 4, 2, 5];
  const nchw = new Float32Array(N * C * H * W);
  let s = 7;
  for (let i = 0; i < nchw.length; i++) nchw[i] = ((s = (s * 16807) % 2147483647) / 2147483647) * 10 - 4;
  const nhwc = new Float32Array(nchw.length);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++)
        for (let w = 0; w < W; w++) nhwc[((n * H + h) * W + w) * C + c] = nchw[((n * C + c) * H + h) * W + w];

  for (const type of ['min_max', 'mixed_min_max', 'mean_min_max', 'threesigma', 'percentile', 'mean_percentile'] as const) {
    for (const perChannel of [false, true]) {
      it(`${type} ${perChannel ? 'per-channel' : 'per-tensor'}`, () => {
        const run = (data: Float32Array, shape: number[], axis: number) => {
          const c = createRangeCollector({ type, mode: 'asymmetric', isWeights: false, channelAxis: perChannel ? axis : null });
          c.register(data, shape);
          c.register(data, shape);
          return c.statistic();
        };
        const a = run(nchw, [N, C, H, W], 1);
        const b = run(nhwc, [N, H, W, C], 3);
        expect(a.min.length).toBe(perChannel ? C : 1);
        expect(Array.from(b.min)).toEqual(Array.from(a.min));
        expect(Array.from(b.max)).toEqual(Array.from(a.max));
      });
    }
  }
});

describe('collector limits and errors', () => {
  it('stops at maxBatches (ceil(num_init_samples / batch_size)); weights take one batch', () => {
    const c = createRangeCollector({ type: 'min_max', mode: 'asymmetric', isWeights: false, channelAxis: null, maxBatches: 1 });
    c.register(B1, SHAPE);
    expect(c.isFull).toBe(true);
    c.register(B2, SHAPE);
    expect(c.batchesSeen).toBe(1);
    expect(Array.from(c.statistic().min)).toEqual([-3]);
    const w = createRangeCollector({ type: 'min_max', mode: 'asymmetric', isWeights: true, channelAxis: null, maxBatches: 9 });
    w.register(B1, SHAPE);
    expect(w.isFull).toBe(true);
  });

  it('rejects bad shapes, changing channel counts, and reading before any batch', () => {
    const c = createRangeCollector({ type: 'percentile', mode: 'symmetric', isWeights: false, channelAxis: 1 });
    expect(() => c.statistic()).toThrow(/Statistics are not collected/);
    expect(() => c.register(B1, [2, 2])).toThrow(/shape \[2,2\] has 4 elements but the data holds 6/);
    c.register(B1, SHAPE); // 3 channels
    expect(() => c.register(B1, [3, 2])).toThrow(/2 channels, earlier batches had 3/);
    expect(() => c.register(B1, [6])).toThrow(/channel axis 1 is out of range/);
    expect(() => c.register(new Float32Array(0), [0, 3])).toThrow(/empty batch/);
  });

  it('rejects bad types, percentiles and batch limits; per-sample needs a non-batch channel axis', () => {
    const base = { mode: 'symmetric' as const, isWeights: false, channelAxis: null };
    expect(() => createRangeCollector({ ...base, type: 'minmax' as RangeInitType })).toThrow(/unknown range init type "minmax"/);
    expect(() => createRangeCollector({ ...base, type: 'percentile', params: { max_percentile: 100.5 } })).toThrow(
      /max_percentile must be a percent in \[0, 100\], got 100.5/,
    );
    expect(() => createRangeCollector({ ...base, type: 'mean_percentile', params: { min_percentile: '1' } })).toThrow(RangeStatisticsError);
    expect(() => createRangeCollector({ ...base, type: 'min_max', maxBatches: 0 })).toThrow(/positive integer/);
    const c = createRangeCollector({ ...base, type: 'mixed_min_max', channelAxis: 0 });
    expect(() => c.register(B1, SHAPE)).toThrow(/channel axis other than 0/);
  });
});
