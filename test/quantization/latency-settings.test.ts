/**
 * The latency check at the user's deploy settings (batch sizes × thread counts): the decision from
 * injected latencies, one row per setting; which settings are timed; the timing input's batch; the CLI
 * options that name them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decideFloatBlocks } from '../../src/algorithms/quantization/latency-fallback/index.js';
import { ndarray, type NdArray } from '../../src/data/index.js';
import { batchOf, DEFAULT_LATENCY_SETTINGS, resolveSettings } from '../../src/latency-check.js';
import { runCli } from '../helpers/cli.js';

/** Additive fake per setting: block b costs q[s][b] quantized, f[s][b] float at setting s. */
const perSetting = (q: number[][], f: number[][]) => async (configs: readonly (readonly number[])[]) =>
  q.map((qs, s) => configs.map((c) => qs.reduce((sum, qb, b) => sum + (c.includes(b) ? f[s][b] : qb), 0)));

describe('decideFloatBlocks at several deploy settings (fake latencies)', () => {
  it('a block turns float when it is faster float on balance over the settings', async () => {
    // block 0: 2 ms faster quantized at batch 1, 40 ms slower at batch 8 (mean ratio < 0.97) → float;
    // block 1: faster quantized at both → stays quantized
    const d = await decideFloatBlocks(2, perSetting([[5, 5], [100, 40]], [[7, 10], [60, 80]]));
    expect(d.floatBlocks).toEqual([0]);
    expect(d.allFloat).toBe(false);
    // reported ms are the first setting's: mix = 7 + 5, FP32 = 7 + 10
    expect(d).toMatchObject({ mixMs: 12, mixFp32Ms: 17, allQuantizedMs: 10, fp32Ms: 17 });
    expect(d.mixBySetting).toEqual([{ mixMs: 12, fp32Ms: 17 }, { mixMs: 100, fp32Ms: 140 }]);
  });

  it('the mix must beat FP32 at every setting: 30 % faster at batch 1 but 10 % slower at batch 8 → every block float', async () => {
    // each block alone: float/quantized ratios 1.5 and 0.9 → mean 1.2, stays quantized; the guard then fails at batch 8
    const d = await decideFloatBlocks(2, perSetting([[2, 2], [10, 10]], [[3, 3], [9, 9]]));
    expect(d.allFloat).toBe(true);
    expect(d.floatBlocks).toEqual([0, 1]);
    expect(d.mixBySetting).toEqual([{ mixMs: 4, fp32Ms: 6 }, { mixMs: 20, fp32Ms: 18 }]);
  });

  it('one setting given as a plain list decides as before', async () => {
    const d = await decideFloatBlocks(2, async (configs) => (await perSetting([[1, 5]], [[3, 3]])(configs))[0]);
    expect(d.floatBlocks).toEqual([1]);
    expect(d.mixBySetting).toEqual([{ mixMs: 4, fp32Ms: 6 }]);
  });

  it('rows of the wrong length or with a bad value are refused, naming the rows', async () => {
    await expect(decideFloatBlocks(1, async () => [[1, 2], [3]])).rejects.toThrow('measure returned [[1,2],[3]] for 2 configurations (want positive finite milliseconds, one row per setting)');
    await expect(decideFloatBlocks(1, async () => [[1, 2], [3, Number.NaN]])).rejects.toThrow('one row per setting');
    await expect(decideFloatBlocks(1, async () => [])).rejects.toThrow('measure returned [] for 2 configurations');
  });
});

describe('resolveSettings', () => {
  it('defaults to batch 1 and 8 × 1 and 2 threads; `threads` alone means batch 1 at that count', () => {
    expect(resolveSettings(['N'], {})).toEqual(DEFAULT_LATENCY_SETTINGS);
    expect(DEFAULT_LATENCY_SETTINGS).toEqual([{ batch: 1, threads: 1 }, { batch: 1, threads: 2 }, { batch: 8, threads: 1 }, { batch: 8, threads: 2 }]);
    expect(resolveSettings(['N'], { threads: 4 })).toEqual([{ batch: 1, threads: 4 }]);
  });

  it('a fixed-batch model is timed at its own batch (duplicates dropped)', () => {
    expect(resolveSettings([1], {})).toEqual([{ batch: 1, threads: 1 }, { batch: 1, threads: 2 }]);
    expect(resolveSettings([4], { settings: [{ batch: 8, threads: 2 }] })).toEqual([{ batch: 4, threads: 2 }]);
  });

  it('refuses an empty list and non-positive or fractional values, naming the field', () => {
    expect(() => resolveSettings(['N'], { settings: [] })).toThrow('latency check: no deploy settings to time (settings is empty)');
    expect(() => resolveSettings(['N'], { settings: [{ batch: 0, threads: 1 }] })).toThrow('latency check: batch must be a positive integer, got 0');
    expect(() => resolveSettings(['N'], { settings: [{ batch: 1, threads: 1.5 }] })).toThrow('latency check: threads must be a positive integer, got 1.5');
  });
});

describe('batchOf', () => {
  const x = ndarray('float32', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]));
  it('repeats the samples to fill a larger batch and cuts for a smaller one, per input', () => {
    expect(Array.from((batchOf(x, 5) as NdArray).data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3]);
    expect((batchOf(x, 5) as NdArray).shape).toEqual([5, 3]);
    expect(Array.from((batchOf(x, 1) as NdArray).data as Float32Array)).toEqual([1, 2, 3]);
    expect(batchOf(x, 2)).toBe(x);
    const named = batchOf({ a: x }, 3) as Record<string, NdArray>;
    expect(named.a.shape).toEqual([3, 3]);
  });
  it('refuses an empty timing batch', () => {
    expect(() => batchOf(ndarray('float32', [0, 3]), 2)).toThrow('latency check: the timing input has batch 0, cannot fill batch 2');
  });
});

describe('compress --latency-batch / --latency-threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nncf-latency-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = ['--model', 'examples/fashion-mnist/model.onnx', '--config', 'examples/fashion-mnist/int8.json', '--data', 'examples/fashion-mnist', '--out', join(dir, 'm.onnx')];
  it('a value that is not a comma list of positive integers is a usage error (exit 2) naming the flag, before any work', async () => {
    const a = await runCli('compress', ...base, '--latency-batch', '1,0');
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/--latency-batch must be a positive integer, got '0'/);
    const b = await runCli('compress', ...base, '--latency-threads', 'two');
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/--latency-threads must be a positive integer, got 'two'/);
  }, 300_000);
});
