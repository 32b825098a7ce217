/**
 * QDQ export of quantizers below (and above) 8 bits: 2–4-bit weights as packed INT4 DequantizeLinear (opset 21),
 * 5–7-bit weights in INT8 with their grid kept, 2–7-bit activations in 8 bits behind a clamp to their range.
 * Every model runs on onnxruntime-node and is compared with the independent reference of
 * quantized-export-sim.ts (FP32 model, weights fake-quantized in JS, activations by float ops).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { exportOnnx, writeQdqQuantizers, type QuantizerExportSpec } from '../../src/exporters/onnx/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { countOpTypes, saveOptimizedModel } from '../../src/runtime/index.js';
import { resnetStyle, transformerEncoder, randomInputs } from '../helpers/models.js';
import { runOrt, type Feeds } from './ort-utils.js';
import { collectStats, feedsFor, makeSpecs, referenceModel, type SpecOptions } from './quantized-export-sim.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-qdq-low-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BATCH = 16;
const model = resnetStyle({ width: 32 });
const feeds: Feeds = feedsFor('input', [BATCH, 3, 32, 32], 5);
const stats = collectStats(model.bytes, feedsFor('input', [16, 3, 32, 32], 1));

async function specsWith(o: SpecOptions): Promise<QuantizerExportSpec[]> {
  return makeSpecs(parseOnnx(model.bytes), await stats, o);
}

function exported(specs: QuantizerExportSpec[]): { graph: Graph; bytes: Uint8Array } {
  const g = parseOnnx(model.bytes);
  writeQdqQuantizers(g, specs, { quantizeBias: false });
  const bytes = exportOnnx(g);
  return { graph: parseOnnx(bytes), bytes };
}

async function logits(bytes: Uint8Array, level: 'disabled' | 'all' = 'disabled'): Promise<Float32Array> {
  return (await runOrt(bytes, feeds, { graphOptimizationLevel: level })).logits.data as Float32Array;
}

const argmax = (x: Float32Array, b: number) => {
  let k = 0;
  for (let j = 1; j < 10; j++) if (x[b * 10 + j] > x[b * 10 + k]) k = j;
  return k;
};

/** Max and mean |a − ref|, share of elements within 1e-6 and top-1 agreement. */
function compare(a: Float32Array, ref: Float32Array) {
  let max = 0, sum = 0, close = 0, top1 = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - ref[i]);
    max = Math.max(max, d);
    sum += d;
    if (d <= 1e-6) close++;
  }
  for (let b = 0; b < BATCH; b++) if (argmax(a, b) === argmax(ref, b)) top1++;
  return { max, mean: sum / a.length, close: close / a.length, top1 };
}

const weightInts = (g: Graph, s: QuantizerExportSpec) => g.initializers.get(g.producer(s.target.tensor)!.inputs[0])!;

describe('QDQ export of 2–7-bit weights', () => {
  it.each([2, 3, 4])('%i-bit weights: packed INT4 initializers (opset 21) on their narrow grid, equal to the simulation on ORT', async (bits) => {
    const specs = await specsWith({ weightBits: bits });
    const { graph, bytes } = exported(specs);
    expect(graph.opsets.get('')).toBe(21);
    const max = 2 ** (bits - 1) - 1;
    for (const s of specs.filter((x) => x.target.kind === 'weight')) {
      const q = weightInts(graph, s);
      expect(q.dtype).toBe('int4');
      const v = Array.from(q.values as Int8Array);
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-max);
      // the largest |w| of each channel maps to the grid's end
      expect(Math.max(...v.map(Math.abs))).toBe(max);
      expect(graph.producer(s.target.tensor)!.attributes.axis?.value).toBe(0);
    }
    const r = compare(await logits(bytes), await logits(referenceModel(model.bytes, specs)));
    expect(r.close).toBeGreaterThan(0.9);
    expect(r.mean).toBeLessThan(2e-5);
    expect(r.top1).toBe(BATCH);
  });

  it.each([5, 6, 7])('%i-bit weights: INT8 initializers holding only the grid −(2^(b−1)−1)..2^(b−1)−1, equal to the simulation', async (bits) => {
    const specs = await specsWith({ weightBits: bits });
    const { graph, bytes } = exported(specs);
    expect(graph.opsets.get('')).toBe(13);
    const max = 2 ** (bits - 1) - 1;
    for (const s of specs.filter((x) => x.target.kind === 'weight')) {
      const v = Array.from(weightInts(graph, s).values as Int8Array);
      expect(weightInts(graph, s).dtype).toBe('int8');
      expect(Math.max(...v.map(Math.abs))).toBe(max);
    }
    const r = compare(await logits(bytes), await logits(referenceModel(model.bytes, specs)));
    expect(r.close).toBeGreaterThan(0.9);
    expect(r.mean).toBeLessThan(2e-5);
    expect(r.top1).toBe(BATCH);
  });

  it('INT4 weights halve the weight bytes: the 4-bit file is ≤ 0.6× the 8-bit one', async () => {
    const eight = exported(await specsWith({})).bytes.length;
    const four = exported(await specsWith({ weightBits: 4 })).bytes.length;
    expect(four / eight).toBeLessThan(0.6);
    expect(four / eight).toBeGreaterThan(0.45);
  });

  it('mixed 4/8-bit weights (as HAWQ chooses): 8-bit convs keep integer kernels in ORT, 4-bit ones run in float, output equals the simulation', async () => {
    const specs = await specsWith({});
    const weights = specs.filter((s) => s.target.kind === 'weight');
    const four = new Set(weights.filter((_, i) => i % 2 === 1).map((s) => s.id));
    const mixed = specs.map((s): QuantizerExportSpec => (four.has(s.id) ? { ...s, bits: 4, levels: 15 } : s));
    const { graph, bytes } = exported(mixed);
    const dtypes = weights.map((s) => weightInts(graph, s).dtype);
    expect(dtypes.filter((d) => d === 'int4').length).toBe(four.size);
    expect(dtypes.filter((d) => d === 'int8').length).toBe(weights.length - four.size);
    const ref = await logits(referenceModel(model.bytes, mixed));
    const r = compare(await logits(bytes), ref);
    expect(r.mean).toBeLessThan(2e-5);
    expect(r.top1).toBe(BATCH);
    // ORT with every optimization: integer kernels for the 8-bit layers, same top-1
    const optimized = compare(await logits(bytes, 'all'), ref);
    expect(optimized.top1).toBe(BATCH);
    const path = join(dir, 'mixed-opt.onnx');
    await saveOptimizedModel(bytes, path);
    const ops = await countOpTypes(path);
    const integer = (ops.get('QLinearConv') ?? 0) + (ops.get('com.microsoft:QGemm') ?? 0);
    const eightBitLinear = weights.length - four.size;
    expect(integer).toBeGreaterThanOrEqual(eightBitLinear - 1);
  });
});

describe('QDQ export of 2–7-bit activations', () => {
  it.each([4, 6])('%i-bit activations: 8-bit QuantizeLinear behind a clamp to the range, equal to the simulation where half the range saturates', async (bits) => {
    // ranges halved: many values lie outside, so the clamp (not the 8-bit type's saturation) must hold them on the grid
    const halved = (await specsWith({ activationBits: bits })).map((s): QuantizerExportSpec =>
      s.target.kind === 'activation' ? { ...s, inputLow: s.inputLow.map((v) => v / 2), inputHigh: s.inputHigh.map((v) => v / 2) } : s);
    const { graph, bytes } = exported(halved);
    const acts = halved.filter((s) => s.target.kind === 'activation');
    const qs = graph.nodes.filter((n) => n.opType === 'QuantizeLinear');
    expect(qs.length).toBe(acts.length);
    expect(qs.every((q) => graph.initializers.get(q.inputs[2])!.dtype === 'uint8')).toBe(true);
    // one Max → Min clamp per activation quantizer, feeding its QuantizeLinear
    expect(graph.nodes.filter((n) => n.opType === 'Min').length).toBe(acts.length);
    expect(qs.every((q) => graph.producer(q.inputs[0])!.opType === 'Min')).toBe(true);
    const ref = await logits(referenceModel(model.bytes, halved));
    const r = compare(await logits(bytes), ref);
    expect(r.close).toBeGreaterThan(0.9);
    expect(r.mean).toBeLessThan(2e-5);
    expect(r.top1).toBe(BATCH);
    // the same model without its clamps leaves the grid (QuantizeLinear saturates at 0..255 only)
    const g = parseOnnx(bytes);
    for (const q of g.nodes.filter((n) => n.opType === 'QuantizeLinear')) q.inputs[0] = g.producer(g.producer(q.inputs[0])!.inputs[0])!.inputs[0];
    g.reindex();
    expect(compare(await logits(exportOnnx(g)), ref).mean).toBeGreaterThan(1e-3);
  });
});

describe('QDQ export beyond the supported widths', () => {
  it('17-bit quantizers are refused, naming the quantizer and the FakeQuantize alternative; the graph is untouched', async () => {
    const specs = await specsWith({});
    const bad = specs.map((s, i) => (i === 0 ? { ...s, bits: 17 } : s));
    const g = parseOnnx(model.bytes);
    const before = exportOnnx(g);
    expect(() => writeQdqQuantizers(g, bad)).toThrow(/has 17 bits.*2- to 16-bit integers.*export_to_onnx_standard_ops: false/);
    expect(Buffer.from(exportOnnx(g)).equals(Buffer.from(before))).toBe(true);
  });
});

describe('raising the opset to 21 for INT4', () => {
  it('ReduceMean-18 takes its axes as an input: the INT4 export of a transformer runs on ORT like its simulation', async () => {
    const m = transformerEncoder({ decomposedLayerNorm: true, opset: 13 });
    const g0 = parseOnnx(m.bytes);
    expect(g0.nodes.some((n) => n.opType === 'ReduceMean' && n.attributes.axes)).toBe(true);
    const f = randomInputs(m, 3, 2);
    const st = await collectStats(m.bytes, f);
    const specs = makeSpecs(g0, st, { weightBits: 4 }).filter((s) => s.target.kind === 'weight');
    // the transformer's weights are MatMul initializers: 4-bit per tensor
    const matmuls: QuantizerExportSpec[] = [];
    for (const n of g0.nodes.filter((x) => x.opType === 'MatMul' && g0.initializers.has(x.inputs[1]))) {
      const w = g0.initializers.get(n.inputs[1])!;
      const a = (w.values as Float32Array).reduce((x, y) => Math.max(x, Math.abs(y)), 0);
      matmuls.push({ id: `${n.name}|WEIGHT`, target: { kind: 'weight', tensor: w.name }, bits: 4, levels: 15, mode: 'symmetric', signed: true, narrowRange: true,
        inputLow: Float32Array.of(-a), inputHigh: Float32Array.of(a) });
    }
    expect(matmuls.length).toBeGreaterThan(3);
    const all = [...specs, ...matmuls];
    const g = parseOnnx(m.bytes);
    writeQdqQuantizers(g, all);
    expect(g.opsets.get('')).toBe(21);
    const reduce = g.nodes.filter((n) => n.opType === 'ReduceMean');
    expect(reduce.length).toBeGreaterThan(0);
    expect(reduce.every((n) => !n.attributes.axes && n.inputs.length === 2)).toBe(true);
    const out = m.outputs[0];
    const ref = (await runOrt(referenceModel(m.bytes, all), f))[out].data as Float32Array;
    const maxDiff = async (options: Parameters<typeof runOrt>[2]) => {
      const got = (await runOrt(exportOnnx(g), f, options))[out].data as Float32Array;
      return got.reduce((acc, v, i) => Math.max(acc, Math.abs(v - ref[i])), 0);
    };
    expect(await maxDiff({ graphOptimizationLevel: 'disabled' })).toBeLessThan(1e-5);
    // ORT fuses DequantizeLinear(INT4) → MatMul into MatMulNBits; at its default accuracy level (4) that
    // kernel quantizes the MatMul input to int8 (max |Δ| ≈ 0.012 here), at level 1 it computes in float
    expect(await maxDiff({ extra: { session: { qdq_matmulnbits_accuracy_level: '1' } } })).toBeLessThan(1e-5);
    expect(await maxDiff({})).toBeLessThan(0.05);
  });
});
