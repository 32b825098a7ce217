/**
 * The latency check (issue 11 item 4): the decision from injected (fake) latencies — never from
 * real times — and what dropping a block's activation quantizers exports: a valid model that computes
 * in float on that block (8-bit weights as Cast·Mul) and leaves the other blocks quantized.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideFloatBlocks, latencyBlocks, stageCuts } from '../../src/algorithms/quantization/latency-fallback/index.js';
import { createCompressedModel, exportCompressedModelBytes, findQuantizationController, type CreateResult } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { decodeModelProto } from '../../src/graph/onnx-proto/index.js';
import { latencyCheck } from '../../src/latency-check.js';
import { countLinearKernels, interleavedLatencies, OrtSession } from '../../src/runtime/index.js';
import { resnetStyle } from '../helpers/models.js';
import { seededFloats } from '../onnx/ort-utils.js';
import { additive } from './fake-latencies.js';

describe('decideFloatBlocks (fake latencies)', () => {
  it('keeps float exactly the blocks that are slower quantized, greedily in order; the mix beats FP32', async () => {
    const m = additive([1, 5, 1, 5], [3, 3, 3, 3]);
    const d = await decideFloatBlocks(4, m);
    expect(d.floatBlocks).toEqual([1, 3]);
    expect(d.allFloat).toBe(false);
    expect([d.allQuantizedMs, d.fp32Ms, d.mixMs, d.mixFp32Ms]).toEqual([12, 12, 8, 12]);
    expect(d.steps).toEqual([
      { block: 0, quantizedMs: 12, floatMs: 14, float: false },
      { block: 1, quantizedMs: 12, floatMs: 10, float: true },
      { block: 2, quantizedMs: 10, floatMs: 12, float: false },
      { block: 3, quantizedMs: 10, floatMs: 8, float: true },
    ]);
    // first all-quantized vs all-float, then one comparison per block (a float block confirmed by a second), then the mix vs all-float
    expect(m.calls).toEqual([[[], [0, 1, 2, 3]], [[], [0]], [[], [1]], [[], [1]], [[1], [1, 2]], [[1], [1, 3]], [[1], [1, 3]], [[1, 3], [0, 1, 2, 3]]]);
  });

  it('a block that looks faster float once but not in the confirming run stays quantized', async () => {
    // block 0: float 8 vs quantized 10 in the first run, 10 vs 10 in the second; FP32 20
    const answers = [[10, 20], [10, 8], [10, 10], [10, 20]];
    const calls: number[][][] = [];
    const d = await decideFloatBlocks(1, async (configs) => (calls.push(configs.map((c) => [...c])), answers.shift()!));
    expect(d).toMatchObject({ floatBlocks: [], allFloat: false, mixMs: 10, mixFp32Ms: 20 });
    expect(d.steps).toEqual([{ block: 0, quantizedMs: 10, floatMs: 8, float: false }]);
    expect(calls).toEqual([[[], [0]], [[], [0]], [[], [0]], [[], [0]]]);
  });

  it('a gain within the margin does not count: 2 % on a 3 % margin keeps the block quantized', async () => {
    const d = await decideFloatBlocks(2, additive([1, 50.9], [10, 49.9]), 0.03);
    expect(d.floatBlocks).toEqual([]);
    expect((await decideFloatBlocks(2, additive([1, 50.9], [10, 49.9]), 0.01)).floatBlocks).toEqual([1]);
  });

  it('a mix not faster than FP32 by the margin turns every block float', async () => {
    // each block alone is no slower quantized, but the whole is only 1 % faster than FP32
    const d = await decideFloatBlocks(2, additive([4.95, 4.95], [5, 5]));
    expect(d).toMatchObject({ floatBlocks: [0, 1], allFloat: true, mixMs: 9.9, mixFp32Ms: 10 });
    // every block slower quantized: all float without a final comparison
    const m = additive([6, 7], [5, 5]);
    expect(await decideFloatBlocks(2, m)).toMatchObject({ floatBlocks: [0, 1], allFloat: true, fp32Ms: 10, allQuantizedMs: 13 });
    expect(m.calls).toHaveLength(5); // all vs float, then block 0 twice (confirmed), block 1 twice
  });

  it('refuses a bad margin and a measure that does not return one positive latency per configuration', async () => {
    await expect(decideFloatBlocks(1, additive([1], [1]), 1)).rejects.toThrow('margin must be in [0, 1), got 1');
    await expect(decideFloatBlocks(1, additive([1], [1]), -0.1)).rejects.toThrow('margin must be in [0, 1)');
    await expect(decideFloatBlocks(2, async () => [1])).rejects.toThrow('measure returned [1] for 2 configurations');
    await expect(decideFloatBlocks(2, async () => [1, Number.NaN])).rejects.toThrow('want positive finite milliseconds');
    await expect(decideFloatBlocks(2, async () => [1, 0])).rejects.toThrow('want positive finite milliseconds');
  });
});

describe('interleavedLatencies', () => {
  it('one result per model, in order, with one timing per run (values not asserted)', async () => {
    const m = resnetStyle({ size: 16, width: 8 });
    const x = { dtype: 'float32', shape: [1, 3, 16, 16], data: seededFloats(3 * 256, 1) } as never;
    const r = await interleavedLatencies([m.bytes, m.bytes, m.bytes], x, { runs: 3, warmup: 0 });
    expect(r.map((t) => t.times.length)).toEqual([3, 3, 3]);
    expect(r.every((t) => t.min <= t.median && t.median <= t.max)).toBe(true);
  }, 120_000);

  it('refuses no models and a bad run count', async () => {
    await expect(interleavedLatencies([], new Float32Array(1) as never)).rejects.toThrow('no models');
    await expect(interleavedLatencies([new Uint8Array(1)], new Float32Array(1) as never, { runs: 0 })).rejects.toThrow('runs must be a positive integer, got 0');
  });
});

describe('latency check on a ResNet-style model (QDQ export)', () => {
  const model = resnetStyle({ size: 16, width: 8 });
  const x = { dtype: 'float32', shape: [1, 3, 16, 16], data: seededFloats(3 * 16 * 16, 5) } as never;
  let r: CreateResult;
  const create = async () => {
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 16, 16] },
      compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true, initializer: { range: { num_init_samples: 8 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
    });
    return createCompressedModel(model.graph, config, { initDataset: new Dataset({ dtype: 'float32', shape: [8, 3, 16, 16], data: seededFloats(8 * 3 * 256, 11) } as never) });
  };
  beforeAll(async () => {
    await initBackend('wasm');
    r = await create();
  }, 300_000);
  afterAll(() => {
    r.controller.dispose();
    r.model.engine.dispose();
  });

  it('stages: cuts after the stem, each residual block and each head op; quantizers grouped by stage', () => {
    const names = model.graph.nodes.map((n) => n.name);
    // a single live float tensor: inside the stem chain, after each residual Add and its Relu, in the head
    expect(stageCuts(model.graph).map((i) => names[i])).toEqual(['stem/Conv', 'stem/BatchNormalization', 'stem/Relu', 'layer1.0/Add', 'layer1.0/Relu', 'layer2.0/Add', 'layer2.0/Relu', 'head/GlobalAveragePool', 'head/Flatten']);
    const q = findQuantizationController(r.controller)!;
    const blocks = latencyBlocks(model.graph, q.modules);
    expect(blocks.map((b) => b.weightedNodes)).toEqual([
      ['stem/Conv'], ['layer1.0.conv1/Conv', 'layer1.0.conv2/Conv'], ['layer2.0.conv1/Conv', 'layer2.0.conv2/Conv', 'layer2.0.downsample/Conv'], [], [], ['fc/Gemm'],
    ]);
    // an activation quantizer belongs to the stage of its first consumer
    expect(blocks.map((b) => b.modules.map((k) => q.modules[k].placed.id).sort())).toEqual([
      ['input|OUTPUT', 'stem/Conv|WEIGHT'],
      ['layer1.0.conv1/Conv|WEIGHT', 'layer1.0.conv1/Relu|OUTPUT', 'layer1.0.conv2/BatchNormalization|OUTPUT', 'layer1.0.conv2/Conv|WEIGHT', 'stem/Relu|OUTPUT'],
      ['layer1.0/Relu|OUTPUT', 'layer2.0.conv1/Conv|WEIGHT', 'layer2.0.conv1/Relu|OUTPUT', 'layer2.0.conv2/BatchNormalization|OUTPUT', 'layer2.0.conv2/Conv|WEIGHT', 'layer2.0.downsample/BatchNormalization|OUTPUT', 'layer2.0.downsample/Conv|WEIGHT'],
      ['layer2.0/Relu|OUTPUT'],
      ['head/GlobalAveragePool|OUTPUT'],
      ['fc/Gemm|WEIGHT'],
    ]);
    expect(blocks.flatMap((b) => b.modules).sort((a, b) => a - b)).toEqual(q.modules.map((_, i) => i));
    // stages of 2, 5, 7, 1, 1, 1 quantizers merged into 2 blocks at the boundary nearest 8.5, and into 3 nearest 5.7 and 11.3
    expect(latencyBlocks(model.graph, q.modules, 2).map((b) => b.modules.length)).toEqual([7, 10]);
    expect(latencyBlocks(model.graph, q.modules, 3).map((b) => b.modules.length)).toEqual([7, 7, 3]);
    expect(() => latencyBlocks(model.graph, q.modules, 0)).toThrow('maxBlocks must be a positive integer, got 0');
  });

  it('a stem that is (fakely) slower quantized is kept float: its input Q/DQ goes, its weight stays 8-bit as Cast·Mul, the rest stays integer', async () => {
    // fake timer: 10 ms, +4 when the stem conv reads a dequantized weight, −0.3 per other DequantizeLinear
    const timeModels = async (models: readonly Uint8Array[]) =>
      models.map((bytes) => {
        const nodes = decodeModelProto(bytes).graph!.node!;
        const dq = nodes.filter((n) => n.op_type === 'DequantizeLinear');
        const stemInputDq = nodes.find((n) => n.name === 'stem/Conv')!.input!.some((t) => dq.some((d) => d.output![0] === t));
        return 10 + (stemInputDq ? 4 : 0) - 0.3 * dq.length;
      });
    const allQuantized = exportCompressedModelBytes(r);
    const s = (await latencyCheck(r, { feeds: x, perBlock: false, timeModels }))!;
    expect(s.allFloat).toBe(false);
    expect(s.floatBlocks.map((b) => b.name)).toEqual(['stem/Conv']);
    // a float block loses its activation quantizers only
    expect(s.disabledQuantizers).toEqual(['input|OUTPUT']);
    const text = r.controller.statistics().toString();
    expect(text).toContain('Blocks kept float by the latency check');
    expect(r.controller.statistics().values['Latency check: blocks kept float']).toBe('1 / 6; float blocks compute in float with their weights stored 8-bit');
    const mixed = exportCompressedModelBytes(r);
    expect(await countLinearKernels(allQuantized)).toMatchObject({ integer: 7, float: 0 });
    expect(await countLinearKernels(mixed)).toMatchObject({ integer: 6, float: 1 });
    // the stem weight: int8 initializer → Cast → Mul, no DequantizeLinear
    const g = decodeModelProto(mixed).graph!;
    const stem = g.node!.find((n) => n.name === 'stem/Conv')!;
    const mul = g.node!.find((n) => n.output![0] === stem.input![1])!;
    const cast = g.node!.find((n) => n.output![0] === mul.input![0])!;
    expect([mul.op_type, cast.op_type]).toEqual(['Mul', 'Cast']);
    expect(g.initializer!.find((t) => t.name === cast.input![0])!.data_type).toBe(3); // INT8
    // the stem's output (the folded BN's, before the next block's quantizer) equals the simulated model's:
    // FP32 input, 8-bit weights
    const y = 'stem/BatchNormalization_out';
    const run = async (bytes: Uint8Array) => {
      const session = await OrtSession.create(bytes, { extraOutputs: [y] });
      try { return (await session.run(x))[y].data as Float32Array; } finally { await session.release(); }
    };
    const input = tf.tensor((x as { data: Float32Array }).data, [1, 3, 16, 16]);
    const out = r.model.run({ input }, { outputs: [y] });
    const simulated = out[y].dataSync() as Float32Array;
    tf.dispose([input, ...Object.values(out)]);
    const [fp32, got, q8] = [await run(model.bytes), await run(mixed), await run(allQuantized)];
    const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    expect(maxDiff(got, simulated)).toBeLessThan(1e-5);
    expect(maxDiff(got, fp32)).toBeGreaterThan(0); // the weights are on the 8-bit grid
    expect(maxDiff(got, fp32)).toBeLessThan(maxDiff(q8, fp32)); // but the input is not quantized
  }, 300_000);

  it('every block slower quantized: no Q/DQ left, every weight 8-bit as Cast·Mul; the export computes the simulated model', async () => {
    const r2 = await create();
    try {
      const s = (await latencyCheck(r2, { feeds: x, perBlock: false, timeModels: async (models) => models.map((b) => 10 + decodeModelProto(b).graph!.node!.filter((n) => n.op_type === 'QuantizeLinear').length) }))!;
      expect(s).toMatchObject({ allFloat: true, fp32Ms: 10 });
      expect(s.floatBlocks.map((b) => b.block)).toEqual([0, 1, 2, 3, 4, 5]);
      const bytes = exportCompressedModelBytes(r2);
      const nodes = decodeModelProto(bytes).graph!.node!;
      expect(nodes.filter((n) => /QuantizeLinear|DequantizeLinear/.test(n.op_type!))).toHaveLength(0);
      expect(nodes.filter((n) => n.op_type === 'Cast')).toHaveLength(7); // 6 convs and the fc
      expect(await countLinearKernels(bytes)).toMatchObject({ integer: 0, float: 7 });
      const out = async (m: Uint8Array) => {
        const session = await OrtSession.create(m);
        try { return Object.values(await session.run(x))[0].data as Float32Array; } finally { await session.release(); }
      };
      const input = tf.tensor((x as { data: Float32Array }).data, [1, 3, 16, 16]);
      const sim = r2.model.run({ input });
      const simulated = Object.values(sim)[0].dataSync() as Float32Array;
      tf.dispose([input, ...Object.values(sim)]);
      const [a, b] = [await out(model.bytes), await out(bytes)];
      expect(Math.max(...b.map((v, i) => Math.abs(v - simulated[i])))).toBeLessThan(1e-5);
      expect(Math.max(...b.map((v, i) => Math.abs(v - a[i])))).toBeLessThan(0.05 * Math.max(...a.map(Math.abs))); // 8-bit weights only
      expect(r2.controller.statistics().values['Latency check: blocks kept float']).toBe('6 / 6 (all: the quantized mix was not faster than FP32); float blocks compute in float with their weights stored 8-bit');
      // a timer that returns the wrong number of latencies is an error naming the problem; a failing
      // timer leaves every quantizer on and no summary
      const r3 = await create();
      await expect(latencyCheck(r3, { feeds: x, perBlock: false, timeModels: async () => [1] })).rejects.toThrow('measure returned [1] for 2 configurations');
      let calls = 0;
      await expect(latencyCheck(r3, { feeds: x, perBlock: false, timeModels: async (m) => { if (++calls === 3) throw new Error('ORT died'); return m.map((_, i) => 10 + i); } })).rejects.toThrow('ORT died');
      const q3 = findQuantizationController(r3.controller)!;
      expect(q3.modules.every((m) => m.quantizer.enabled)).toBe(true);
      expect(q3.latencyFallback).toBeNull();
      r3.controller.dispose();
      r3.model.engine.dispose();
    } finally {
      r2.controller.dispose();
      r2.model.engine.dispose();
    }
  }, 300_000);

  it('real ORT timing at two deploy settings (batch 3 / 1 thread, batch 1 / 2 threads): one final row per setting, every timing positive', async () => {
    const r4 = await create();
    try {
      const s = (await latencyCheck(r4, { feeds: { dtype: 'float32', shape: [1, 3, 16, 16], data: seededFloats(3 * 256, 5) } as never, runs: 3, maxBlocks: 2, perBlock: false, settings: [{ batch: 3, threads: 1 }, { batch: 1, threads: 2 }] }))!;
      expect(s.blocks).toHaveLength(2);
      // which blocks stay float depends on this machine's load; the shape of the answer does not
      if (s.mixBySetting.length) {
        expect(s.mixBySetting).toHaveLength(2);
        for (const row of s.mixBySetting) expect(row.mixMs > 0 && row.fp32Ms > 0).toBe(true);
        expect(s.finalMs).toBe(s.allFloat ? s.mixBySetting[0].fp32Ms : s.mixBySetting[0].mixMs);
      } else expect(s.allFloat).toBe(true);
      expect(s.fp32Ms).toBeGreaterThan(0);
    } finally {
      r4.controller.dispose();
      r4.model.engine.dispose();
    }
  }, 300_000);
});
