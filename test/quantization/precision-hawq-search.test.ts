/**
 * HAWQ steps 2–5 (spec/algorithms.md §6.2), no data: bit-width sequences, compression ratio with
 * MACs and the activation feeding each layer, the trace-weighted quantization noise, the choice, the
 * HW restriction and the errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { placeQuantizers, type QuantizerSpec } from '../../src/algorithms/quantization/placement/index.js';
import {
  adjacentGroups,
  applyHawqPrecision,
  bitSequenceCount,
  chooseSequence,
  hawqWeightTensors,
  layerMacs,
  MAX_HAWQ_SEQUENCES,
  nonDecreasingBitSequences,
  weightPerturbation,
  withBits,
  type HawqOptions,
} from '../../src/algorithms/quantization/precision-hawq.js';
import { hawqSummary, MAX_REPORTED_HAWQ_SEQUENCES } from '../../src/algorithms/quantization/precision-hawq-summary.js';
import { initBackend } from '../../src/engine/index.js';
import type { Graph } from '../../src/graph/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** x[N,4] → fc1 (8×4) → ReLU → fc2 (8×8) → ReLU → fc3 (2×8): MACs 32, 64, 16. */
function threeLayers(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 9, name: 'mlp3' });
  let y = b.input('x', ['N', 4]);
  const fc = (x: string, name: string, cin: number, cout: number) =>
    b.node('Gemm', [x, b.randomWeight(`${name}.weight`, [cout, cin]), b.uniform(`${name}.bias`, [cout], -0.1, 0.1)], { transB: 1 }, { name: `${name}/Gemm` });
  y = b.node('Relu', [fc(y, 'fc1', 4, 8)], {}, { name: 'relu1/Relu' });
  y = b.node('Relu', [fc(y, 'fc2', 8, 8)], {}, { name: 'relu2/Relu' });
  b.output(fc(y, 'fc3', 8, 2), ['N', 2]);
  return b.toGraph();
}

/** One input read by two linears (one group of adjacent quantizers with two weights), summed. */
function branching(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 4, name: 'branch' });
  const x = b.input('x', ['N', 4]);
  const a = b.node('Gemm', [x, b.randomWeight('fcA.weight', [4, 4])], { transB: 1 }, { name: 'fcA/Gemm' });
  const c = b.node('Gemm', [x, b.randomWeight('fcB.weight', [4, 4])], { transB: 1 }, { name: 'fcB/Gemm' });
  b.output(b.node('Add', [a, c], {}, { name: 'add/Add' }), ['N', 4]);
  return b.toGraph();
}

const flags = () => ({ halfRange: false, narrowRange: false });
const weightsOf = (g: Graph) => (name: string) => {
  const c = g.initializers.get(name)!;
  return { values: Float32Array.from(c.values as Float32Array), dims: [...c.dims] };
};
const opts = (device: string, o: Partial<HawqOptions> = {}): HawqOptions => ({
  hwConstrained: device !== 'TRIAL',
  weightRangeFlags: flags,
  bits: [4, 8],
  compressionRatio: 1.5,
  mode: 'liberal',
  device,
  ...o,
});
const traceMap = (g: Graph, setup: QuantizerSpec[], values: number[]) => new Map(hawqWeightTensors(setup).map((t, i) => [t, values[i]]));
const bitsOf = (setup: QuantizerSpec[]) => Object.fromEntries(setup.map((q) => [q.id, q.bits]));

describe('bit-width sequences', () => {
  it('count = Σ_j C(m,j)·C(L−1,j−1), all non-decreasing and distinct', () => {
    for (let m = 1; m <= 4; m++)
      for (let L = 1; L <= 6; L++) {
        const seqs = [...nonDecreasingBitSequences([2, 4, 8, 16].slice(0, m), L)];
        expect(seqs.length).toBe(bitSequenceCount(m, L));
        expect(new Set(seqs.map((s) => s.join())).size).toBe(seqs.length);
        for (const s of seqs) expect(s.every((b, i) => i === 0 || s[i - 1] <= b)).toBe(true);
      }
    expect(bitSequenceCount(3, 3)).toBe(10);
    expect(bitSequenceCount(4, 200)).toBe(4 + 6 * 199 + 4 * 19701 + 1293699);
  });

  it("NNCF's enumeration order (widths sorted, j distinct widths, each cut of the positions)", () => {
    expect([...nonDecreasingBitSequences([8, 2, 4], 3)]).toEqual([
      [2, 2, 2], [4, 4, 4], [8, 8, 8],
      [2, 4, 4], [2, 2, 4], [2, 8, 8], [2, 2, 8], [4, 8, 8], [4, 4, 8],
      [2, 4, 8],
    ]);
  });

  it('choice: minimal metric among ratio ≥ target (ties → lowest index); −1 when none', () => {
    expect(chooseSequence([5, 1, 3, 3], [2, 1, 1.5, 1.6], 1.5)).toBe(2);
    expect(chooseSequence([5, 1, 3, 3], [2, 1, 1.5, 1.6], 1.55)).toBe(3);
    expect(chooseSequence([5, 1, 3, 3], [2, 1, 1.5, 1.6], 3)).toBe(-1);
  });
});

describe('layer facts', () => {
  it('MACs at batch 1 from inferred shapes: Gemm rows·N·K; Conv Cout·H·W·Cin·k²', () => {
    const g = threeLayers();
    const setup = placeQuantizers(g, { targetDevice: 'TRIAL' }).quantizers;
    expect(setup.filter((q) => q.kind === 'weight').map((q) => [q.id, layerMacs(g, q)])).toEqual([
      ['fc1/Gemm|WEIGHT', 32],
      ['fc2/Gemm|WEIGHT', 64],
      ['fc3/Gemm|WEIGHT', 16],
    ]);
    const b = new OnnxBuilder({ opset: 13 });
    const x = b.input('x', ['N', 3, 6, 6]);
    b.output(b.node('Conv', [x, b.randomWeight('c.weight', [5, 3, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }, { name: 'c/Conv' }));
    const cg = b.toGraph();
    const cq = placeQuantizers(cg, { targetDevice: 'TRIAL' }).quantizers.find((q) => q.kind === 'weight')!;
    expect(layerMacs(cg, cq)).toBe(5 * 3 * 3 * 3 * 3 * 3); // Cout·Hout·Wout·Cin·kH·kW, 6×6 → 3×3
  });

  it('‖Q(W) − W‖² by hand: 4-bit symmetric per-tensor, scale = max|w| = 1, step 1/7', () => {
    const g = threeLayers();
    const q = placeQuantizers(g, { targetDevice: 'TRIAL' }).quantizers.find((x) => x.id === 'fc1/Gemm|WEIGHT')!;
    const spec = { ...q, bits: 4, mode: 'symmetric' as const, signed: undefined, perChannel: false, channelAxis: undefined, narrowRange: false, halfRange: false };
    // 0.3 → 2/7, 0.6 → 4/7; −1 and 1 are on the grid: (0.1² + 0.2²) / 49
    expect(weightPerturbation(spec, Float32Array.from([0.3, -1, 0.6, 1]), [2, 2])).toBeCloseTo(0.05 / 49, 7);
    // per channel (axis 0): row 2 has scale 2, step 2/7: 0.6 → 4/7 again
    expect(weightPerturbation({ ...spec, perChannel: true, channelAxis: 0 }, Float32Array.from([0.3, -1, 0.6, 2]), [2, 2])).toBeCloseTo(0.05 / 49, 7);
    // 8 bits: far less noise
    expect(weightPerturbation({ ...spec, bits: 8 }, Float32Array.from([0.3, -1, 0.6, 1]), [2, 2])).toBeLessThan(0.05 / 49 / 100);
  });

  it('groups of adjacent quantizers: the input quantizer joins both linears it feeds', () => {
    const g = branching();
    const setup = placeQuantizers(g, { targetDevice: 'TRIAL' }).quantizers;
    const groups = adjacentGroups(setup).map((grp) => grp.map((i) => setup[i].id).sort());
    expect(groups).toContainEqual(['fcA/Gemm|WEIGHT', 'fcB/Gemm|WEIGHT', 'x|OUTPUT']);
  });
});

describe('HAWQ search', () => {
  // traces fc1 3, fc2 1, fc3 2 → trace order fc2, fc3, fc1
  const traces = [3, 1, 2];

  it('3 layers by hand (TRIAL, bits 4/8, liberal): ratios, metric and the chosen sequence', () => {
    const g = threeLayers();
    const setup = placeQuantizers(g, { targetDevice: 'TRIAL' }).quantizers;
    const r = applyHawqPrecision(g, setup, traceMap(g, setup, traces), weightsOf(g), opts('TRIAL'));
    expect(r.traceOrder).toEqual(['fc2/Gemm|WEIGHT', 'fc3/Gemm|WEIGHT', 'fc1/Gemm|WEIGHT']);
    // sequences (trace order) 444, 888, 488, 448 → (fc1, fc2, fc3) = 444, 888, 848, 844; each activation
    // takes its layer's width, so complexity = Σ MACs·w: 448, 896, 640, 576 → ratios 2, 1, 1.4, 1.556
    expect(r.sequences).toBe(4);
    expect(r.ratioRange).toEqual([1, 2]);
    expect(r.ratio).toBeCloseTo(896 / 576, 12); // 844: fc1 (highest trace) keeps 8 bits
    expect(bitsOf(r.setup)).toEqual({
      'fc1/Gemm|WEIGHT': 8, 'fc2/Gemm|WEIGHT': 4, 'fc3/Gemm|WEIGHT': 4,
      'x|OUTPUT': 8, 'relu1/Relu|OUTPUT': 4, 'relu2/Relu|OUTPUT': 4,
    });
    const noise = (id: string, bits: number) => {
      const q = withBits(g, setup.find((x) => x.id === id)!, bits, opts('TRIAL'));
      const w = weightsOf(g)(hawqWeightTensors([q])[0]);
      return weightPerturbation(q, w.values, w.dims);
    };
    expect(r.metric).toBeCloseTo(3 * noise('fc1/Gemm|WEIGHT', 8) + 1 * noise('fc2/Gemm|WEIGHT', 4) + 2 * noise('fc3/Gemm|WEIGHT', 4), 10);
    // the working, as the report shows it: traces, every sequence with ratio and metric, the chosen one
    expect(r.weightIds).toEqual(['fc1/Gemm|WEIGHT', 'fc2/Gemm|WEIGHT', 'fc3/Gemm|WEIGHT']);
    expect(r.traces).toEqual(traces);
    expect(r.candidates.map((c) => c.bits.join(''))).toEqual(['444', '888', '848', '844']);
    const metricOf = (b: number[]) => 3 * noise('fc1/Gemm|WEIGHT', b[0]) + 1 * noise('fc2/Gemm|WEIGHT', b[1]) + 2 * noise('fc3/Gemm|WEIGHT', b[2]);
    r.candidates.forEach((c) => expect(c.metric).toBeCloseTo(metricOf(c.bits), 10));
    r.candidates.forEach((c, i) => expect(c.ratio).toBeCloseTo(896 / [448, 896, 640, 576][i], 12));
    expect(r.chosen).toBe(3);
    const summary = hawqSummary(r, 1.5, 7, 'train');
    expect(summary).toMatchObject({
      compression_ratio: r.ratio,
      requested_ratio: 1.5,
      trace_iterations: 7,
      trace_mode: 'train',
      weight_quantizers: r.weightIds,
      traces: { 'fc1/Gemm|WEIGHT': 3, 'fc2/Gemm|WEIGHT': 1, 'fc3/Gemm|WEIGHT': 2 },
      sequence_count: 4,
      chosen: 3,
    });
    expect(summary.sequences.map((q) => q.bits)).toEqual([[4, 4, 4], [8, 8, 8], [8, 4, 8], [8, 4, 4]]);
    expect(summary.sequences[3]).toEqual({ bits: [8, 4, 4], ratio: r.ratio, metric: r.metric });
    // a ratio only 444 reaches; a ratio below every sequence but one (888 is excluded, everything else ≥ 1.4)
    const all4 = applyHawqPrecision(g, setup, traceMap(g, setup, traces), weightsOf(g), opts('TRIAL', { compressionRatio: 1.6 }));
    expect(all4.setup.filter((q) => q.kind === 'weight').map((q) => q.bits)).toEqual([4, 4, 4]);
    expect(all4.ratio).toBe(2);
    const at1 = applyHawqPrecision(g, setup, traceMap(g, setup, traces), weightsOf(g), opts('TRIAL', { compressionRatio: 1 }));
    expect(at1.ratio).toBeGreaterThanOrEqual(1);
    expect(at1.metric).toBeLessThanOrEqual(r.metric); // more candidates, never a worse metric
    // the input setup is not mutated
    expect(setup.every((q) => q.bits === 8)).toBe(true);
  });

  it('report summary of a long search: the lowest-metric sequences reaching the ratio, the chosen one among them', () => {
    const n = MAX_REPORTED_HAWQ_SEQUENCES + 10;
    // ratio alternates 1 / 2 (target 1.5); metric falls with the index, so the last ones are the best
    const candidates = Array.from({ length: n }, (_, i) => ({ bits: [i % 2 ? 4 : 8], ratio: i % 2 ? 2 : 1, metric: n - i }));
    const chosen = n - 1;
    const r = { setup: [], ratio: 2, ratioRange: [1, 2] as [number, number], metric: 1, sequences: n, traceOrder: ['a'], weightIds: ['a'], traces: [0.5], candidates, chosen };
    const s = hawqSummary(r, 1.5, 3, 'eval');
    expect(s.sequence_count).toBe(n);
    expect(s.sequences.length).toBe(n / 2); // only the (n/2 < limit) sequences with ratio ≥ 1.5 are listed
    expect(s.sequences.every((q) => q.ratio === 2)).toBe(true);
    expect(s.sequences[s.chosen]).toEqual({ bits: [4], ratio: 2, metric: 1 });
  });

  it('the order follows the traces: the highest-trace layer never gets fewer bits', () => {
    const g = threeLayers();
    const setup = placeQuantizers(g, { targetDevice: 'TRIAL' }).quantizers;
    const r = applyHawqPrecision(g, setup, traceMap(g, setup, [1, 3, 2]), weightsOf(g), opts('TRIAL', { compressionRatio: 1.25 }));
    // order fc1, fc3, fc2; trace-order 488 = (fc1, fc2, fc3) 488: ratio 896/768; 448 = fc1 4, fc3 4, fc2 8:
    // complexity 32·4 + 64·8 + 16·4 = 704, ratio 1.273 ≥ 1.25, less noise than 444: chosen
    expect(r.traceOrder).toEqual(['fc1/Gemm|WEIGHT', 'fc3/Gemm|WEIGHT', 'fc2/Gemm|WEIGHT']);
    expect(r.setup.filter((q) => q.kind === 'weight').map((q) => q.bits)).toEqual([4, 8, 4]);
    expect(r.ratio).toBeCloseTo(896 / 704, 12);
  });

  it('compression_ratio outside [min, max] is an error naming the key and the range', () => {
    const g = threeLayers();
    const setup = placeQuantizers(g, { targetDevice: 'TRIAL' }).quantizers;
    expect(() => applyHawqPrecision(g, setup, traceMap(g, setup, traces), weightsOf(g), opts('TRIAL', { compressionRatio: 2.5 }))).toThrow(
      /quantization\.initializer\.precision\.compression_ratio 2\.5 cannot be reached on TRIAL: with bit widths \[4, 8\] the achievable range is \[1\.000, 2\.000\]/,
    );
    expect(() => applyHawqPrecision(g, setup, traceMap(g, setup, traces), weightsOf(g), opts('TRIAL', { compressionRatio: 0.5 }))).toThrow(/range is \[1\.000, 2\.000\]/);
  });

  it('HW restriction: CPU leaves only 8 bits (ratio 1); NPU drops 2-bit weights (no 2-bit activations) and maps activations to the weights', () => {
    const g = threeLayers();
    const cpu = placeQuantizers(g, { targetDevice: 'CPU' }).quantizers;
    expect(() => applyHawqPrecision(g, cpu, traceMap(g, cpu, traces), weightsOf(g), opts('CPU', { bits: [2, 4, 8] }))).toThrow(
      /compression_ratio 1\.5 cannot be reached on CPU: with bit widths \[8\] the achievable range is \[1\.000, 1\.000\]/,
    );
    const c1 = applyHawqPrecision(g, cpu, traceMap(g, cpu, traces), weightsOf(g), opts('CPU', { bits: [2, 4, 8], compressionRatio: 1 }));
    expect([c1.sequences, c1.ratio, new Set(c1.setup.map((q) => q.bits))]).toEqual([1, 1, new Set([8])]);
    expect(() => applyHawqPrecision(g, cpu, traceMap(g, cpu, traces), weightsOf(g), opts('CPU', { bits: [2, 4] }))).toThrow(
      /precision\.bits \[2, 4\]: none of these bit widths is allowed for weights on CPU \(allowed: 8, 16\)/,
    );
    const npu = placeQuantizers(g, { targetDevice: 'NPU' }).quantizers;
    const n = applyHawqPrecision(g, npu, traceMap(g, npu, traces), weightsOf(g), opts('NPU', { bits: [2, 4, 8] }));
    expect(n.sequences).toBe(4); // the 10 sequences over {2,4,8} minus the 6 that use 2 bits
    expect(bitsOf(n.setup)).toEqual({
      'fc1/Gemm|WEIGHT': 8, 'fc2/Gemm|WEIGHT': 4, 'fc3/Gemm|WEIGHT': 4,
      'x|OUTPUT': 8, 'relu1/Relu|OUTPUT': 4, 'relu2/Relu|OUTPUT': 4,
    });
    // each changed quantizer takes the first HW config with its width
    for (const q of n.setup.filter((x) => x.bits === 4)) {
      const first = npu.find((x) => x.id === q.id)!.allowedConfigs.find((c) => c.bits === 4)!;
      expect([q.mode, q.perChannel]).toEqual([first.mode, first.perChannel]);
    }
  });

  it('strict: weights sharing an activation quantizer take one width (and so does it); liberal may split them', () => {
    const g = branching();
    const setup = placeQuantizers(g, { targetDevice: 'TRIAL' }).quantizers;
    const tr = new Map([['fcA.weight', 1], ['fcB.weight', 5]]);
    const liberal = applyHawqPrecision(g, setup, tr, weightsOf(g), opts('TRIAL', { compressionRatio: 1.2 }));
    const strict = applyHawqPrecision(g, setup, tr, weightsOf(g), opts('TRIAL', { compressionRatio: 1.2, mode: 'strict' }));
    expect(liberal.sequences).toBe(3); // 44, 88, 48
    expect(strict.sequences).toBe(2); // 44, 88
    const pick = (r: typeof strict) => [r.setup.find((q) => q.id === 'fcA/Gemm|WEIGHT')!.bits, r.setup.find((q) => q.id === 'fcB/Gemm|WEIGHT')!.bits, r.setup.find((q) => q.id === 'x|OUTPUT')!.bits];
    expect(pick(strict)).toEqual([4, 4, 4]);
    expect(strict.ratio).toBe(2);
    // liberal 48: fcA 4, fcB 8 (higher trace), the shared input at min(4, 8) = 4 → 8·32 / (4·16 + 8·16) = 4/3 ≥ 1.2
    expect(pick(liberal)).toEqual([4, 8, 4]);
    expect(liberal.ratio).toBeCloseTo(4 / 3, 12);
    const liberal15 = applyHawqPrecision(g, setup, tr, weightsOf(g), opts('TRIAL', { compressionRatio: 1.5 }));
    expect(pick(liberal15)).toEqual([4, 4, 4]);
  });

  it('more sequences than MAX_HAWQ_SEQUENCES: a clear error instead of enumerating', () => {
    const g = threeLayers();
    const base = placeQuantizers(g, { targetDevice: 'TRIAL' }).quantizers.find((q) => q.kind === 'weight')!;
    const many = Array.from({ length: 200 }, (_, i) => ({ ...base, id: `l${i}|WEIGHT`, quantizedNodes: [`l${i}`] }));
    expect(bitSequenceCount(4, 200)).toBeGreaterThan(MAX_HAWQ_SEQUENCES);
    expect(() => applyHawqPrecision(g, many, new Map(), weightsOf(g), opts('TRIAL', { bits: [2, 4, 8, 16] }))).toThrow(
      /200 weight quantizers and 4 bit widths give 1373701 bit-width sequences, more than nncf-ts enumerates \(1000000\)/,
    );
  });
});
