/**
 * The latency check judged per block on the block's own piece of the model: the piece cut out of the
 * QDQ and FP32 exports computes what the whole model computes there; the decision from fake piece
 * timings (exact calls); CPU-time clock and paired per-round ratios on a fake clock.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decideFloatBlocksByPiece, latencyBlocks, type PieceTiming } from '../../src/algorithms/quantization/latency-fallback/index.js';
import { createCompressedModel, exportCompressedModelBytes, findQuantizationController } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset, type NdArray } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { decodeModelProto } from '../../src/graph/onnx-proto/index.js';
import { clockFor, latencyCheck } from '../../src/latency-check.js';
import { countLinearKernels, extractSubgraph, interleavedSessionLatencies, OrtSession, pairedRatio, summarize, type OrtSession as Session } from '../../src/runtime/index.js';
import { resnetStyle } from '../helpers/models.js';
import { seededFloats } from '../onnx/ort-utils.js';

const model = resnetStyle({ size: 16, width: 8 });
const x = { dtype: 'float32', shape: [1, 3, 16, 16], data: seededFloats(3 * 16 * 16, 5) } as NdArray;
const create = async () => {
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [1, 3, 16, 16] },
    compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true, initializer: { range: { num_init_samples: 8 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
  });
  return createCompressedModel(model.graph, config, { initDataset: new Dataset({ dtype: 'float32', shape: [8, 3, 16, 16], data: seededFloats(8 * 3 * 256, 11) } as never) });
};
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
async function run(bytes: Uint8Array, feeds: Record<string, NdArray> | NdArray, extra: string[] = []) {
  const s = await OrtSession.create(bytes, { intraOpThreads: 1, extraOutputs: extra });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

describe('latency blocks know their piece of the model', () => {
  beforeAll(() => initBackend('wasm'), 120_000);

  it('inputs/outputs are the cut tensors before and after each block; a cut missing from the exports merges its stages', async () => {
    const r = await create();
    try {
      const q = findQuantizationController(r.controller)!;
      const blocks = latencyBlocks(model.graph, q.modules);
      expect(blocks.map((b) => [b.inputs, b.outputs])).toEqual([
        [['input'], ['stem/Relu_out']],
        [['stem/Relu_out'], ['layer1.0/Relu_out']],
        [['layer1.0/Relu_out'], ['layer2.0/Relu_out']],
        [['layer2.0/Relu_out'], ['head/GlobalAveragePool_out']],
        [['head/GlobalAveragePool_out'], ['head/Flatten_out']],
        [['head/Flatten_out'], [model.graph.outputs[0].name]],
      ]);
      // a block ends where the next begins (the Relu after an Add, with no quantizer of its own, is in the block before)
      // without the cuts after layer1.0's Add and Relu, layer 1 and layer 2 are one block from the stem's output to layer 2's Relu
      const merged = latencyBlocks(model.graph, q.modules, 12, (t) => t !== 'layer1.0/Add_out' && t !== 'layer1.0/Relu_out');
      expect(merged.map((b) => [b.inputs, b.outputs, b.modules.length])).toContainEqual([['stem/Relu_out'], ['layer2.0/Relu_out'], 12]);
      expect(merged).toHaveLength(5);
    } finally {
      r.controller.dispose();
      r.model.engine.dispose();
    }
  }, 300_000);

  it('a piece of the QDQ export computes what the whole export computes there; its convs are integer in ORT', async () => {
    const r = await create();
    try {
      const quantized = exportCompressedModelBytes(r);
      const q = findQuantizationController(r.controller)!;
      q.modules.forEach((m) => (m.quantizer.enabled = false));
      const float = exportCompressedModelBytes(r);
      q.modules.forEach((m) => (m.quantizer.enabled = true));
      // layer 2: from layer1.0/Relu_out to layer2.0/Add_out, three convs
      const input = 'layer1.0/Relu_out';
      const fp = await run(float, x, [input, 'layer2.0/Add_out']);
      const feeds = { [input]: fp[input] };
      const fPiece = extractSubgraph(float, [{ name: input, shape: fp[input].shape }], ['layer2.0/Add_out']);
      const got = await run(fPiece, feeds);
      expect(maxDiff(got['layer2.0/Add_out'].data as Float32Array, fp['layer2.0/Add_out'].data as Float32Array)).toBeLessThan(1e-5);
      expect(await countLinearKernels(fPiece)).toMatchObject({ integer: 0, float: 3 });
      // the QDQ piece: the input enters its QuantizeLinear (the export keeps the name on the DequantizeLinear output),
      // so all three convs fuse; fed the same float input as the whole model's Q/DQ pair sees, same values
      const qPiece = extractSubgraph(quantized, [{ name: input, shape: fp[input].shape }], ['layer2.0/Add_out'], { throughQdq: true });
      expect(await countLinearKernels(qPiece)).toMatchObject({ integer: 3, float: 0 });
      const producer = decodeModelProto(quantized).graph!.node!.find((n) => n.output?.includes(input))!;
      expect(producer.op_type).toBe('DequantizeLinear');
      const rawInput = decodeModelProto(quantized).graph!.node!.find((n) => n.output?.includes(producer.input![0]))!.input![0];
      const whole = await run(quantized, x, [rawInput, 'layer2.0/Add_out']);
      const piece = await run(qPiece, { [input]: whole[rawInput] });
      expect(maxDiff(Object.values(piece)[0].data as Float32Array, whole['layer2.0/Add_out'].data as Float32Array)).toBeLessThan(1e-5);
      // refusals name the tensor
      expect(() => extractSubgraph(float, [{ name: 'nope' }], ['layer2.0/Add_out'])).toThrow("input 'nope' is not a tensor of the model");
      expect(() => extractSubgraph(float, [{ name: input }], ['nope'])).toThrow("'nope' is produced by no node");
      expect(() => extractSubgraph(float, [{ name: 'layer2.0.conv1/Conv_out' }], ['layer2.0/Add_out'])).toThrow("'input' is a model input not among the inputs given (they do not cut the model)");
      expect(() => extractSubgraph(float, [{ name: input }], [])).toThrow('no outputs to extract');
    } finally {
      r.controller.dispose();
      r.model.engine.dispose();
    }
  }, 300_000);
});

describe('decideFloatBlocksByPiece (fake piece timings)', () => {
  /** Fake: block b's piece has float/quantized ratio ratios[b] (the first answer, then `second` if given). */
  const fake = (ratios: number[], second: Record<number, number> = {}) => {
    const calls: number[] = [];
    const fn = async (b: number): Promise<PieceTiming[]> => {
      const again = calls.includes(b);
      calls.push(b);
      const ratio = again && b in second ? second[b] : ratios[b];
      return [{ quantizedMs: 1, floatMs: ratio, ratio }];
    };
    return Object.assign(fn, { calls });
  };
  const whole = (rows: number[][]) => {
    const calls: number[][][] = [];
    return Object.assign(async (configs: readonly (readonly number[])[]) => (calls.push(configs.map((c) => [...c])), rows), { calls });
  };

  it('one piece timing per block, a confirming one for a gain inside the band; the mix then timed once against FP32', async () => {
    // block 0 2× slower float; block 1 0.5 (clear gain); block 2 0.9 (near: confirmed, 0.95 → float); block 3 0.9 then 1.0 (not confirmed)
    const piece = fake([2, 0.5, 0.9, 0.9], { 2: 0.95, 3: 1.0 });
    const guard = whole([[8, 10]]);
    const d = await decideFloatBlocksByPiece(4, piece, guard, 0.03, { clearBand: 0.15 });
    expect(d.floatBlocks).toEqual([1, 2]);
    expect(piece.calls).toEqual([0, 1, 2, 2, 3, 3]);
    expect(guard.calls).toEqual([[[1, 2], [0, 1, 2, 3]]]);
    expect(d).toMatchObject({ allFloat: false, mixMs: 8, fp32Ms: 10, mixBySetting: [{ mixMs: 8, fp32Ms: 10 }] });
    expect(d.allQuantizedMs).toBeNaN(); // not timed: some block went float
    expect(d.steps.map((s) => [s.block, s.float, s.floatMs])).toEqual([[0, false, 2], [1, true, 0.5], [2, true, 0.9], [3, false, 0.9]]);
  });

  it('an untimed block stays quantized without a timing', async () => {
    const piece = fake([0.5, 0.5, 0.5]);
    const d = await decideFloatBlocksByPiece(3, piece, whole([[8, 10]]), 0.03, { clearBand: 0.15, untimed: new Set([1]) });
    expect(d.floatBlocks).toEqual([0, 2]);
    expect(piece.calls).toEqual([0, 2]);
    expect(d.steps[1]).toMatchObject({ block: 1, float: false });
  });

  it('the mix not faster than FP32 by the margin at every setting: every block float; every block float by piece: no whole-model timing', async () => {
    const d = await decideFloatBlocksByPiece(2, fake([2, 2]), whole([[9, 10], [10, 10]]));
    expect(d).toMatchObject({ floatBlocks: [0, 1], allFloat: true });
    const none = await decideFloatBlocksByPiece(2, fake([2, 2]), whole([[5, 10]]));
    expect(none).toMatchObject({ floatBlocks: [], allFloat: false, allQuantizedMs: 5 });
    const guard = whole([[1, 1]]);
    const all = await decideFloatBlocksByPiece(2, fake([0.1, 0.1]), guard);
    expect(all).toMatchObject({ floatBlocks: [0, 1], allFloat: true, mixBySetting: [] });
    expect(guard.calls).toEqual([]);
  });

  it('refuses bad timings and a bad margin or band', async () => {
    await expect(decideFloatBlocksByPiece(1, async () => [], whole([[1, 2]]))).rejects.toThrow('the timing of block 0 returned [] (want one {quantizedMs, floatMs, ratio}');
    await expect(decideFloatBlocksByPiece(1, async () => [{ quantizedMs: 1, floatMs: 1, ratio: Number.NaN }], whole([[1, 2]]))).rejects.toThrow('the timing of block 0 returned');
    await expect(decideFloatBlocksByPiece(1, fake([2]), whole([[1]]))).rejects.toThrow('measure returned [[1]] for 2 configurations');
    await expect(decideFloatBlocksByPiece(1, fake([2]), whole([[1, 2]]), 1)).rejects.toThrow('margin must be in [0, 1), got 1');
    await expect(decideFloatBlocksByPiece(1, fake([2]), whole([[1, 2]]), 0.03, { clearBand: -1 })).rejects.toThrow('clearBand must be >= 0, got -1');
  });
});

describe('latencyCheck per block (fake piece timer)', () => {
  beforeAll(() => initBackend('wasm'), 120_000);

  it('the stem piece, slower quantized, is kept float; only the chosen mix is timed as a whole model', async () => {
    const r = await create();
    try {
      const seen: { qOps: string[]; fOps: string[]; fTypes: string[] }[] = [];
      // fake piece timer: the piece holding the stem conv is 2× slower quantized, every other piece 2× faster
      const timePieces = async (qb: Uint8Array, fb: Uint8Array) => {
        const ops = (b: Uint8Array) => decodeModelProto(b).graph!.node!.map((n) => n.name ?? '');
        seen.push({ qOps: ops(qb), fOps: ops(fb), fTypes: decodeModelProto(fb).graph!.node!.map((n) => n.op_type ?? '') });
        const stem = ops(fb).includes('stem/Conv');
        return [{ quantizedMs: stem ? 2 : 1, floatMs: stem ? 1 : 2, ratio: stem ? 0.5 : 2 }];
      };
      const wholeCalls: number[] = [];
      const timeModels = async (models: readonly Uint8Array[]) => (wholeCalls.push(models.length), [5, 10]);
      const s = (await latencyCheck(r, { feeds: x, settings: [{ batch: 1, threads: 1 }], timeModels, timePieces }))!;
      expect(s.judgedOn).toBe('block');
      expect(s.floatBlocks.map((b) => [b.name, b.quantizedMs, b.floatMs])).toEqual([['stem/Conv', 2, 1]]);
      expect(s.disabledQuantizers).toEqual(['input|OUTPUT']); // its weight stays 8-bit (Cast·Mul)
      expect(wholeCalls).toEqual([2]); // the final guard only
      // one piece per block with weights (the head's GAP and Flatten blocks are not timed and stay quantized);
      // the stem's gain (0.5) is clear of the band, no confirmation
      expect(seen).toHaveLength(4);
      expect(seen[3].fOps).toContain('fc/Gemm');
      // the float piece of layer 2 has only its own nodes; the quantized piece adds the Q/DQ nodes
      expect(seen[2].fOps.filter((n) => n.endsWith('/Conv'))).toEqual(['layer2.0.conv1/Conv', 'layer2.0.conv2/Conv', 'layer2.0.downsample/Conv']);
      expect(seen[2].qOps.length).toBeGreaterThan(seen[2].fOps.length);
      // the float piece is cut from the export with only that block float: no weight DQ, but its output still
      // goes through the next block's input Q/DQ pair (which the mix would pay)
      expect(seen[2].fTypes.filter((t) => t === 'DequantizeLinear' || t === 'QuantizeLinear')).toEqual(['QuantizeLinear', 'DequantizeLinear']);
      expect(seen[2].fTypes.slice(-2)).toEqual(['QuantizeLinear', 'DequantizeLinear']);
      const text = r.controller.statistics().toString();
      expect(text).toContain('each block timed on its own piece of the model');
      expect(text).toContain('Block ms quantized');
      // the whole all-quantized model was never timed (a block went float by its piece): reported as not measured
      const values = r.controller.statistics().values;
      expect([values['Latency check: all quantized ms (min)'], values['Latency check: FP32 ms (min)'], values['Latency check: exported ms (min)']]).toEqual(['—', 10, 5]);
    } finally {
      r.controller.dispose();
      r.model.engine.dispose();
    }
  }, 300_000);

  it('real ORT piece timing (2 settings): every block judged, the answer well-formed', async () => {
    const r = await create();
    try {
      const s = (await latencyCheck(r, { feeds: x, runs: 4, settings: [{ batch: 2, threads: 1 }, { batch: 1, threads: 2 }] }))!;
      expect(s.judgedOn).toBe('block');
      expect(s.blocks).toHaveLength(6);
      // which blocks stay float depends on this machine's load; the shape of the answer does not
      expect(s.allFloat || s.mixBySetting.length === 2).toBe(true);
      expect(s.disabledQuantizers.length).toBe(findQuantizationController(r.controller)!.modules.filter((m) => !m.quantizer.enabled).length);
    } finally {
      r.controller.dispose();
      r.model.engine.dispose();
    }
  }, 300_000);
});

describe('timing clocks (fake clocks)', () => {
  let wall = 0n;
  let cpu = 0;
  afterEach(() => vi.restoreAllMocks());
  /** A session whose k-th run takes wall[k] ms of wall time and cpu[k] ms of CPU time (the last value repeats). */
  const fake = (wallMs: number[], cpuMs: number[]) => {
    const s = {
      calls: 0,
      run: async () => {
        const k = Math.min(s.calls, wallMs.length - 1);
        wall += BigInt(Math.round(wallMs[k] * 1e6));
        cpu += cpuMs[Math.min(s.calls, cpuMs.length - 1)] * 1000;
        s.calls++;
        return {};
      },
    };
    return s;
  };
  const mockClocks = () => {
    vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => wall);
    vi.spyOn(process, 'cpuUsage').mockImplementation((prev?: NodeJS.CpuUsage) => ({ user: cpu - (prev?.user ?? 0), system: -(prev?.system ?? 0) }));
  };

  it("clock 'cpu' times CPU use, not the time another process held the core; 'wall' sees both", async () => {
    mockClocks();
    // b is descheduled for 20 ms in its 2nd run (wall) but uses 2 ms of CPU each run; a uses 3 ms
    const [a, b] = [fake([3], [3]), fake([2, 22, 2], [2])];
    const c = await interleavedSessionLatencies([a, b] as unknown as Session[], x, { runs: 3, warmup: 0, clock: 'cpu' });
    expect(c.map((t) => t.times)).toEqual([[3, 3, 3], [2, 2, 2]]);
    const [a2, b2] = [fake([3], [3]), fake([2, 22, 2], [2])];
    const w = await interleavedSessionLatencies([a2, b2] as unknown as Session[], x, { runs: 3, warmup: 0 });
    expect(w.map((t) => t.times)).toEqual([[3, 3, 3], [2, 22, 2]]);
    await expect(interleavedSessionLatencies([a2] as unknown as Session[], x, { clock: 'gpu' as never })).rejects.toThrow("clock must be 'wall' or 'cpu', got gpu");
    expect([clockFor({ batch: 1, threads: 1 }), clockFor({ batch: 8, threads: 2 })]).toEqual(['cpu', 'wall']);
  });

  it('pairedRatio: the median of per-round ratios, so a slow round moves neither model apart', () => {
    // rounds: 4/2, 40/10 (a burst hit both), 6/2 → ratios 2, 4, 3 → median 3
    expect(pairedRatio(summarize([2, 10, 2]), summarize([4, 40, 6]))).toBe(3);
    expect(() => pairedRatio({ ...summarize([1]), times: [] }, summarize([1]))).toThrow('pairedRatio: no rounds');
  });
});
