/**
 * HAWQ on a small CNN with BatchNorm: traces are taken in training mode (BN on batch statistics), as
 * NNCF does with the model users hand it. The expected bit choice is derived from a float64 reference
 * Hessian (hawq-bn-reference.ts, independent of the engine); the running statistics are chosen so that
 * eval mode orders the layers the other way round and would give the other layer 4 bits.
 *
 * Model: x [N,1,4,4] → conv (2×1×3×3, pad 1) → BN → ReLU → Flatten → fc (3×32). MACs per sample:
 * conv 2·16·9 = 288, fc 3·32 = 96. TRIAL, bits [4, 8], liberal: each activation takes its layer's
 * width, so the sequences (trace order) 44, 88, 48 have ratios 2, 1 and
 *   fc at 4 bits: 8·384 / (288·8 + 96·4) = 3072 / 2688 ≈ 1.143,   conv at 4 bits: 3072 / 1920 = 1.6;
 * with compression_ratio 1.1 the cheaper of 48 and 44 wins, i.e. the lower-trace layer gets 4 bits.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { placeQuantizers } from '../../src/algorithms/quantization/placement/index.js';
import { hawqWeightTensors, weightPerturbation, withBits } from '../../src/algorithms/quantization/precision-hawq.js';
import { createCompressedModel, quantizationReport, type QuantizationController } from '../../src/api.js';
import { CompressedModel } from '../../src/compression/index.js';
import { NNCFConfig, QuantizationPrecisionInitArgs } from '../../src/config/index.js';
import { Dataset, ndarray, Random } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import type { Graph } from '../../src/graph/index.js';
import { defaultHessianCriterion, hessianTracesOnEngine } from '../../src/initialization/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { blockTraces, hessian, type Batch, type BnCnnParams } from './hawq-bn-reference.js';

const S = 4;
const C = 2;
const K = 3;
const N = 16;
const BATCH = 8;
const ITERS = 200;
const CONV = 'conv/Conv|WEIGHT';
const FC = 'fc/Gemm|WEIGHT';

/** Seeded parameters (float32 values) and data; BN running statistics far from the batch statistics. */
function problem() {
  const r = new Random(3);
  const u = (n: number, s: number) => Float64Array.from({ length: n }, () => Math.fround((r.float() * 2 - 1) * s));
  const fill = (v: number) => Float64Array.from({ length: C }, () => v);
  const p: BnCnnParams = {
    S, C, K,
    convW: u(C * 9, 0.5),
    convB: u(C, 0.1),
    gamma: fill(1),
    beta: fill(0),
    runMean: fill(-2),
    runVar: fill(4),
    fcW: u(K * C * S * S, 0.5),
    fcB: u(K, 0.1),
    eps: 1e-5,
  };
  const batches: Batch[] = [0, 1].map(() => ({
    n: BATCH,
    x: Float64Array.from({ length: BATCH * S * S }, () => Math.fround(r.normal())),
    y: Int32Array.from({ length: BATCH }, () => r.int(K)),
  }));
  const x = Float32Array.from([...batches[0].x, ...batches[1].x]);
  const y = Int32Array.from([...batches[0].y, ...batches[1].y]);
  return { p, x, y, batches };
}

function graphOf(p: BnCnnParams): Graph {
  const b = new OnnxBuilder({ opset: 13, name: 'bn-cnn' });
  const f32 = (v: Float64Array) => Float32Array.from(v);
  const x = b.input('x', ['N', 1, S, S]);
  let t = b.node('Conv', [x, b.initializer('conv.weight', 'float32', [C, 1, 3, 3], f32(p.convW)), b.initializer('conv.bias', 'float32', [C], f32(p.convB))], { pads: [1, 1, 1, 1] }, { name: 'conv/Conv' });
  t = b.node(
    'BatchNormalization',
    [t, b.initializer('bn.scale', 'float32', [C], f32(p.gamma)), b.initializer('bn.bias', 'float32', [C], f32(p.beta)), b.initializer('bn.mean', 'float32', [C], f32(p.runMean)), b.initializer('bn.var', 'float32', [C], f32(p.runVar))],
    { epsilon: p.eps, momentum: 0.9 },
    { name: 'bn/BatchNormalization' },
  );
  t = b.node('Relu', [t], {}, { name: 'relu/Relu' });
  t = b.node('Flatten', [t], { axis: 1 }, { name: 'flatten/Flatten' });
  b.node('Gemm', [t, b.initializer('fc.weight', 'float32', [K, C * S * S], f32(p.fcW)), b.initializer('fc.bias', 'float32', [K], f32(p.fcB))], { transB: 1 }, { name: 'fc/Gemm', outputs: ['logits'] });
  b.output('logits', ['N', K]);
  return b.toGraph();
}

const blocks: [number, number][] = [[0, C * 9], [C * 9, C * 9 + K * C * S * S]];

/** The HAWQ choice by hand from traces (conv, fc): sequences 44, 88 and "lower trace at 4"; minimal metric among ratio ≥ 1.1. */
function expectedChoice(g: Graph, traces: [number, number]): { conv: number; fc: number } {
  const setup = placeQuantizers(g, { targetDevice: 'TRIAL' }).quantizers;
  const opts = { hwConstrained: false, weightRangeFlags: () => ({ halfRange: false, narrowRange: false }) };
  const noise = (id: string, bits: number) => {
    const q = withBits(g, setup.find((s) => s.id === id)!, bits, opts);
    const c = g.initializers.get(hawqWeightTensors([q])[0])!;
    return weightPerturbation(q, Float32Array.from(c.values as Float32Array), [...c.dims]);
  };
  const lowerIsConv = traces[0] < traces[1];
  const candidates = [
    { conv: 4, fc: 4, ratio: 2 },
    { conv: 8, fc: 8, ratio: 1 },
    lowerIsConv ? { conv: 4, fc: 8, ratio: 3072 / 1920 } : { conv: 8, fc: 4, ratio: 3072 / 2688 },
  ];
  const metric = (c: { conv: number; fc: number }) => traces[0] * noise(CONV, c.conv) + traces[1] * noise(FC, c.fc);
  const eligible = candidates.filter((c) => c.ratio >= 1.1).sort((a, b) => metric(a) - metric(b));
  return { conv: eligible[0].conv, fc: eligible[0].fc };
}

let ref: ReturnType<typeof problem>;
let train: { trace: number; sigma: number }[];
let evalMode: { trace: number; sigma: number }[];

beforeAll(async () => {
  await initBackend('wasm');
  ref = problem();
  train = blockTraces(hessian(ref.p, ref.batches, true), blocks);
  evalMode = blockTraces(hessian(ref.p, ref.batches, false), blocks);
}, 120_000);

const dataset = () => new Dataset(ndarray('float32', [N, 1, S, S], ref.x.slice()), ndarray('int32', [N], ref.y.slice()));

describe('HAWQ traces in training mode (small CNN with BatchNorm)', () => {
  it('the float64 reference: train mode ranks conv above fc, eval mode the other way round (separated by > 5 standard errors of 200 iterations)', () => {
    const se = (t: { sigma: number }) => t.sigma / Math.sqrt(ITERS);
    const [tc, tf_] = train;
    const [ec, ef] = evalMode;
    expect(tc.trace).toBeGreaterThan(tf_.trace + 5 * Math.hypot(se(tc), se(tf_)));
    expect(ef.trace).toBeGreaterThan(ec.trace + 5 * Math.hypot(se(ec), se(ef)));
    // so the hand-derived choices differ: train gives fc 4 bits, eval gives conv 4 bits
    const g = graphOf(ref.p);
    expect(expectedChoice(g, [tc.trace, tf_.trace])).toEqual({ conv: 8, fc: 4 });
    expect(expectedChoice(g, [ec.trace, ef.trace])).toEqual({ conv: 4, fc: 8 });
  });

  it('engine estimates (train and eval mode) agree with the reference within 4 standard errors; BN running statistics untouched', async () => {
    const g = graphOf(ref.p);
    const model = new CompressedModel(g, new Engine(g));
    const before = tf.memory().numTensors;
    const loader = { dataset: dataset(), batchSize: BATCH };
    const req = { numDataPoints: N, iterNumber: ITERS, tolerance: 0, seed: 1 };
    const t = await hessianTracesOnEngine(model, loader, ['conv.weight', 'fc.weight'], req);
    const e = await hessianTracesOnEngine(model, loader, ['conv.weight', 'fc.weight'], { ...req, mode: 'eval' });
    expect(tf.memory().numTensors).toBe(before);
    expect([t.batches, t.iterations]).toEqual([2, ITERS]);
    const got = { train: [t.traces.get('conv.weight')!, t.traces.get('fc.weight')!], eval: [e.traces.get('conv.weight')!, e.traces.get('fc.weight')!] };
    [0, 1].forEach((i) => {
      expect(Math.abs(got.train[i] - train[i].trace)).toBeLessThan((4 * train[i].sigma) / Math.sqrt(ITERS));
      expect(Math.abs(got.eval[i] - evalMode[i].trace)).toBeLessThan((4 * evalMode[i].sigma) / Math.sqrt(ITERS));
    });
    for (const [name, want] of [['bn.mean', ref.p.runMean], ['bn.var', ref.p.runVar]] as const) {
      const w = model.engine.getWeight(name);
      expect(Array.from(w.dataSync())).toEqual(Array.from(want));
      w.dispose();
    }
    model.engine.dispose();
  }, 300_000);

  function hawqConfig(traceMode?: unknown): NNCFConfig {
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 1, S, S] },
      target_device: 'TRIAL',
      compression: {
        algorithm: 'quantization',
        initializer: {
          range: { num_init_samples: 0 },
          batchnorm_adaptation: { num_bn_adaptation_samples: 0 },
          precision: { type: 'hawq', bits: [4, 8], compression_ratio: 1.1, num_data_points: N, iter_number: ITERS, tolerance: 0 },
        },
      },
    });
    config.registerExtraStructs([
      new QuantizationPrecisionInitArgs(null, defaultHessianCriterion, { dataset: dataset(), batchSize: BATCH }, undefined, traceMode as 'train' | 'eval' | undefined),
    ]);
    return config;
  }

  it('createCompressedModel (TRIAL, bits [4, 8], ratio 1.1) gives fc 4 bits and conv 8, as derived from the train-mode traces; the report shows why', async () => {
    const g = graphOf(ref.p);
    const r = await createCompressedModel(g, hawqConfig());
    const ctrl = r.controller as QuantizationController;
    const bits = Object.fromEntries(ctrl.modules.map((m) => [m.placed.id, m.placed.bits]));
    expect([bits[CONV], bits[FC]]).toEqual([8, 4]);
    const h = quantizationReport(ctrl).hawq!;
    expect(h.trace_mode).toBe('train');
    expect(h.trace_order).toEqual([FC, CONV]);
    expect(h.traces[CONV]).toBeGreaterThan(h.traces[FC]);
    expect(h.sequences.map((s) => s.bits)).toEqual([[4, 4], [8, 8], [8, 4]]); // execution order (conv, fc)
    expect(h.sequences.map((s) => s.ratio)).toEqual([2, 1, 3072 / 2688].map((x) => expect.closeTo(x, 12)));
    expect(h.sequences[h.chosen].bits).toEqual([8, 4]);
    ctrl.dispose();
    r.model.engine.dispose();
  }, 300_000);
  it("traceMode 'eval' (a model put in eval mode before NNCF) ranks the other way: conv 4 bits, fc 8; the report says so", async () => {
    const r = await createCompressedModel(graphOf(ref.p), hawqConfig('eval'));
    const ctrl = r.controller as QuantizationController;
    const bits = Object.fromEntries(ctrl.modules.map((m) => [m.placed.id, m.placed.bits]));
    expect([bits[CONV], bits[FC]]).toEqual([4, 8]);
    const h = quantizationReport(ctrl).hawq!;
    expect(h.trace_mode).toBe('eval');
    expect(h.trace_order).toEqual([CONV, FC]);
    ctrl.dispose();
    r.model.engine.dispose();
  }, 300_000);

  it('a traceMode other than train/eval is refused, naming the field', async () => {
    await expect(createCompressedModel(graphOf(ref.p), hawqConfig('inference'))).rejects.toThrow(/traceMode must be 'train' or 'eval', got "inference"/);
  }, 300_000);
});
