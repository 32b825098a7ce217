/**
 * The cheaper latency check: a comparison of two models stops timing once they are clearly apart, and
 * a block that is clearly faster float skips the confirming run. Timings here are fake (a fake clock,
 * injected latencies): the tests count runs and comparisons, never wall time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decideFloatBlocks } from '../../src/algorithms/quantization/latency-fallback/index.js';
import { createCompressedModel } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { decodeModelProto } from '../../src/graph/onnx-proto/index.js';
import { CLEAR_BAND, latencyCheck } from '../../src/latency-check.js';
import { interleavedSessionLatencies, type OrtSession } from '../../src/runtime/index.js';
import { resnetStyle } from '../helpers/models.js';
import { seededFloats } from '../onnx/ort-utils.js';
import { additive } from './fake-latencies.js';

describe('decideFloatBlocks: no confirming run for a clear gain', () => {
  it('a block 60 % faster float is taken from one comparison; one 10 % faster is still confirmed', async () => {
    // block 1 float: 10 → 4 ms (ratio 0.4 < 1 − 0.03 − 0.15): one comparison
    const clear = additive([1, 9], [3, 3]);
    const d = await decideFloatBlocks(2, clear, 0.03, { clearBand: 0.15 });
    expect(d.floatBlocks).toEqual([1]);
    expect(clear.calls).toEqual([[[], [0, 1]], [[], [0]], [[], [1]], [[1], [0, 1]]]);
    // without the band (the default) the same gain is confirmed by a second run
    const always = additive([1, 9], [3, 3]);
    expect((await decideFloatBlocks(2, always)).floatBlocks).toEqual([1]);
    expect(always.calls).toEqual([[[], [0, 1]], [[], [0]], [[], [1]], [[], [1]], [[1], [0, 1]]]);
    // block 1 float: 10 → 9 ms (ratio 0.9, within the band): confirmed
    const near = additive([1, 9], [3, 8]);
    expect((await decideFloatBlocks(2, near, 0.03, { clearBand: 0.15 })).floatBlocks).toEqual([1]);
    expect(near.calls).toEqual([[[], [0, 1]], [[], [0]], [[], [1]], [[], [1]], [[1], [0, 1]]]);
  });

  it('a clear first run is not re-checked, so a second (noisy) answer cannot undo it; a near one can be', async () => {
    const answers = () => [[10, 20], [10, 5], [10, 10], [5, 20]];
    const a = answers();
    // the one block float = every block float (FP32), decided from 2 comparisons
    expect((await decideFloatBlocks(1, async () => a.shift()!, 0.03, { clearBand: 0.15 }))).toMatchObject({ floatBlocks: [0], allFloat: true });
    expect(a).toHaveLength(2);
    const b = answers();
    expect((await decideFloatBlocks(1, async () => b.shift()!)).floatBlocks).toEqual([]);
  });

  it('refuses a negative or NaN band', async () => {
    await expect(decideFloatBlocks(1, additive([1], [1]), 0.03, { clearBand: -0.1 })).rejects.toThrow('clearBand must be >= 0, got -0.1');
    await expect(decideFloatBlocks(1, additive([1], [1]), 0.03, { clearBand: Number.NaN })).rejects.toThrow('clearBand must be >= 0, got NaN');
  });
});

describe('interleavedSessionLatencies: stop when two models are clearly apart', () => {
  let now = 0n;
  afterEach(() => vi.restoreAllMocks());
  /** A session whose run advances the fake clock by `ms[k]` on its k-th call (the last value repeats). */
  const fake = (ms: number[]) => {
    const s = { calls: 0, run: async () => { now += BigInt(Math.round(ms[Math.min(s.calls, ms.length - 1)] * 1e6)); s.calls++; return {}; } };
    return s;
  };
  const time = (sessions: ReturnType<typeof fake>[], opts: Parameters<typeof interleavedSessionLatencies>[2]) => {
    vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => now);
    return interleavedSessionLatencies(sessions as unknown as OrtSession[], new Float32Array(1) as never, opts);
  };

  it('4 ms vs 1 ms: stops after `afterRuns` rounds; 1.1 ms vs 1 ms: runs every round', async () => {
    const [a, b] = [fake([4]), fake([1])];
    const r = await time([a, b], { runs: 15, warmup: 2, stopWhenApart: { afterRuns: 5, ratio: 1.2 } });
    expect([a.calls, b.calls]).toEqual([7, 7]); // 2 warm-up + 5 timed
    expect(r.map((x) => [x.times.length, x.min])).toEqual([[5, 4], [5, 1]]);
    const [c, d] = [fake([1.1]), fake([1])];
    const r2 = await time([c, d], { runs: 15, warmup: 0, stopWhenApart: { afterRuns: 5, ratio: 1.2 } });
    expect(r2.map((x) => x.times.length)).toEqual([15, 15]);
    expect(r2[0].min / r2[1].min).toBeCloseTo(1.1, 6);
  });

  it('judges on the mins so far, from round `afterRuns` on', async () => {
    // a: 3 ms in its first 4 runs, then 1 ms; b: 1 ms — rounds 1–3 show mins 3 vs 1, so it stops after round 3
    const [a, b] = [fake([3, 3, 3, 3, 1]), fake([1])];
    const r = await time([a, b], { runs: 10, warmup: 0, stopWhenApart: { afterRuns: 3, ratio: 1.2 } });
    expect(r[0].times).toEqual([3, 3, 3]);
    const [c, e] = [fake([3, 1]), fake([1])];
    const r2 = await time([c, e], { runs: 10, warmup: 0, stopWhenApart: { afterRuns: 3, ratio: 1.2 } });
    // c reaches 1 ms in round 2: never apart at round 3 or later, so all 10 rounds run
    expect(r2[0].times).toHaveLength(10);
    expect(r2[0].min).toBe(1);
  });

  it('refuses early stop for other than two models and bad parameters, naming the option', async () => {
    await expect(time([fake([1]), fake([1]), fake([1])], { stopWhenApart: { afterRuns: 2, ratio: 1.2 } })).rejects.toThrow('stopWhenApart compares two models, got 3');
    await expect(time([fake([1]), fake([1])], { stopWhenApart: { afterRuns: 0, ratio: 1.2 } })).rejects.toThrow('stopWhenApart.afterRuns must be a positive integer, got 0');
    await expect(time([fake([1]), fake([1])], { stopWhenApart: { afterRuns: 2, ratio: 1 } })).rejects.toThrow('stopWhenApart.ratio must be > 1, got 1');
  });
});

describe('latencyCheck: earlyStop', () => {
  const model = resnetStyle({ size: 16, width: 8 });
  const x = { dtype: 'float32', shape: [1, 3, 16, 16], data: seededFloats(3 * 16 * 16, 5) } as never;
  const create = async () => {
    await initBackend('wasm');
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 16, 16] },
      compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true, initializer: { range: { num_init_samples: 8 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
    });
    return createCompressedModel(model.graph, config, { initDataset: new Dataset({ dtype: 'float32', shape: [8, 3, 16, 16], data: seededFloats(8 * 3 * 256, 11) } as never) });
  };
  /** Fake timer: 10 ms, +8 when the stem conv reads a dequantized weight (stem float is 2× faster), −0.3 per other DQ. */
  const fakeTimer = () => {
    let calls = 0;
    const timeModels = async (models: readonly Uint8Array[]) => {
      calls++;
      return models.map((bytes) => {
        const nodes = decodeModelProto(bytes).graph!.node!;
        const dq = nodes.filter((n) => n.op_type === 'DequantizeLinear');
        const stemWeightDq = nodes.find((n) => n.name === 'stem/Conv')!.input!.some((t) => dq.some((d) => d.output![0] === t));
        return 10 + (stemWeightDq ? 8 : 0) - 0.3 * dq.length;
      });
    };
    return { timeModels, calls: () => calls };
  };

  it('on by default: the stem, clearly faster float, is decided in one comparison; earlyStop: false confirms it (one comparison more), same answer', async () => {
    expect(CLEAR_BAND).toBe(0.15);
    const answers: { names: string[]; calls: number }[] = [];
    for (const earlyStop of [undefined, false]) {
      const r = await create();
      try {
        const t = fakeTimer();
        const s = (await latencyCheck(r, { feeds: x, perBlock: false, timeModels: t.timeModels, ...(earlyStop === undefined ? {} : { earlyStop }) }))!;
        answers.push({ names: s.floatBlocks.map((b) => b.name), calls: t.calls() });
      } finally {
        r.controller.dispose();
        r.model.engine.dispose();
      }
    }
    expect(answers[0].names).toEqual(['stem/Conv']);
    expect(answers[1].names).toEqual(['stem/Conv']);
    // 6 blocks: 1 (all vs FP32) + 6 + 1 (final) = 8 comparisons; the confirmation of the stem adds one
    expect(answers.map((a) => a.calls)).toEqual([8, 9]);
  }, 300_000);
});
