import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ndarray } from '../../src/data/index.js';
import { OrtSession, benchmark, benchmarkSession, countOpTypes, saveOptimizedModel, summarize } from '../../src/runtime/index.js';
import { affineModel, convBnReluModel } from './tiny-models.js';

describe('optimized graph', () => {
  it("saves ORT's optimized graph: BatchNorm folded into the Conv, Relu fused", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opt-'));
    const original = await countOpTypes(convBnReluModel());
    expect(Object.fromEntries(original)).toEqual({ Conv: 1, BatchNormalization: 1, Relu: 1 });
    const path = join(dir, 'opt.onnx');
    await saveOptimizedModel(convBnReluModel(), path, { intraOpThreads: 1 });
    expect(await readdir(dir)).toEqual(['opt.onnx']);
    const counts = await countOpTypes(path);
    expect(counts.get('BatchNormalization')).toBeUndefined();
    expect(counts.get('Relu')).toBeUndefined();
    expect(counts.get('com.microsoft:FusedConv')).toBe(1);
    // the saved model runs and gives the same result as the original
    const x = ndarray('float32', [1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)));
    const a = await OrtSession.create(convBnReluModel());
    const b = await OrtSession.create(path);
    const ya = (await a.run(x)).y.data as Float32Array;
    const yb = (await b.run(x)).y.data as Float32Array;
    ya.forEach((v, i) => expect(yb[i]).toBeCloseTo(v, 5));
    await a.release();
    await b.release();

    const basic = join(dir, 'basic.onnx');
    const s = await OrtSession.create(convBnReluModel(), { graphOptimizationLevel: 'disabled', optimizedModelPath: basic });
    await s.release();
    expect(Object.fromEntries(await countOpTypes(basic))).toEqual({ Conv: 1, BatchNormalization: 1, Relu: 1 });
  });
});

describe('benchmark', () => {
  it('summarizes timings: min, median (odd and even), mean, max', () => {
    expect(summarize([5, 1, 3])).toMatchObject({ min: 1, median: 3, mean: 3, max: 5 });
    expect(summarize([4, 1, 3, 2]).median).toBe(2.5);
    expect(() => summarize([])).toThrow(/no timings/);
  });

  it('runs warm-up then timed repeats', async () => {
    let calls = 0;
    const r = await benchmark(() => void calls++, { warmup: 2, repeats: 5 });
    expect(calls).toBe(7);
    expect(r.times.length).toBe(5);
    expect(r.min).toBeLessThanOrEqual(r.median);
    await expect(benchmark(() => 0, { repeats: 0 })).rejects.toThrow(/repeats must be a positive integer/);
    const s = await OrtSession.create(affineModel());
    const t = await benchmarkSession(s, ndarray('float32', [4, 3]), { warmup: 1, repeats: 3 });
    expect(t.times.length).toBe(3);
    expect(t.min).toBeGreaterThan(0);
    await s.release();
  });
});
