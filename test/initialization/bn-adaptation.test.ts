import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NUM_BN_ADAPTATION_SAMPLES,
  bnAdaptationSteps,
  parseNumBnAdaptationSamples,
  runBnAdaptation,
} from '../../src/initialization/bn-adaptation/index.js';

describe('BatchNorm adaptation driver (spec §2.1)', () => {
  it('num_bn_adaptation_samples defaults to 2000, 0 disables, negatives are errors', () => {
    expect(parseNumBnAdaptationSamples(undefined)).toBe(DEFAULT_NUM_BN_ADAPTATION_SAMPLES);
    expect(parseNumBnAdaptationSamples({})).toBe(2000);
    expect(parseNumBnAdaptationSamples({ num_bn_adaptation_samples: 0 })).toBe(0);
    expect(() => parseNumBnAdaptationSamples({ num_bn_adaptation_samples: -5 })).toThrow(
      /initializer\.batchnorm_adaptation\.num_bn_adaptation_samples must be a number >= 0, got -5/,
    );
    expect(() => parseNumBnAdaptationSamples([1])).toThrow(/must be an object/);
  });

  it('runs ceil(samples / batch size) steps, one pass: a short loader gives fewer steps (NNCF breaks, never loops)', async () => {
    expect(bnAdaptationSteps(2000, 64)).toBe(32);
    const seen: number[] = [];
    expect(await runBnAdaptation({ numSamples: 10, batchSize: 2, batches: () => [1, 2, 3], step: (b) => void seen.push(b) })).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    seen.length = 0;
    expect(await runBnAdaptation({ numSamples: 3, batchSize: 2, batches: () => [1, 2, 3], step: (b) => void seen.push(b) })).toBe(2);
    expect(seen).toEqual([1, 2]);
  });

  it('0 samples runs nothing and needs no data; otherwise a missing or empty loader is an error', async () => {
    expect(await runBnAdaptation({ numSamples: 0, batchSize: 8, batches: null, step: () => undefined })).toBe(0);
    await expect(runBnAdaptation({ numSamples: 1, batchSize: 8, batches: null, step: () => undefined })).rejects.toThrow(/no data loader/);
    await expect(runBnAdaptation({ numSamples: 1, batchSize: 8, batches: () => [], step: () => undefined })).rejects.toThrow(/yielded no batches/);
    expect(() => bnAdaptationSteps(10, 0)).toThrow(/batch size/);
  });
});
