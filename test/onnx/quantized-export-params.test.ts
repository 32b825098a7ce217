import { describe, expect, it } from 'vitest';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import {
  exportOnnx, levelGrid, qdqParams, quantizeValues, QuantizedExportError, writeQdqQuantizers, writeQuantizers, type QuantizerExportSpec,
} from '../../src/exporters/onnx/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { mobilenetV2Style, resnetStyle } from '../helpers/models.js';
import { runOrt } from './ort-utils.js';
import { fakeQuantize, feedsFor, referenceModel, tuneRange } from './quantized-export-sim.js';

const f32 = (...v: number[]) => Float32Array.from(v);
const act = (id: string, tensor: string, o: Partial<QuantizerExportSpec>): QuantizerExportSpec => ({
  id, target: { kind: 'activation', tensor }, bits: 8, levels: 256, mode: 'symmetric', signed: false, narrowRange: false, inputLow: f32(0), inputHigh: f32(1), ...o,
});

describe('scale / zero point from input_low, input_high, levels (NNCF get_scale_zp_from_input_low_input_high)', () => {
  const p = (s: QuantizerExportSpec) => ({ grid: levelGrid(s), ...qdqParams(s, levelGrid(s)) });

  it('symmetric signed narrow (8-bit weights): −127..127, scale = high/127, zero point 0, int8', () => {
    const r = p(act('w', 'x', { levels: 255, signed: true, narrowRange: true, inputLow: f32(-0.5), inputHigh: f32(0.5) }));
    expect([r.grid.levelLow, r.grid.levelHigh, r.dtype, r.zeroPoint[0]]).toEqual([-127, 127, 'int8', 0]);
    expect(r.scale[0]).toBeCloseTo(0.5 / 127, 9);
  });

  it('symmetric signed full range: −128..127 over [−s·128/127, s], scale = s/127, zero point 0', () => {
    const r = p(act('a', 'x', { signed: true, inputLow: f32(-2 * 128 / 127), inputHigh: f32(2) }));
    expect([r.grid.levelLow, r.grid.levelHigh, r.dtype, r.zeroPoint[0]]).toEqual([-128, 127, 'int8', 0]);
    expect(r.scale[0]).toBeCloseTo(2 / 127, 7);
  });

  it('symmetric unsigned: 0..255 over [0, s], scale = s/255, zero point 0, uint8', () => {
    const r = p(act('a', 'x', { inputLow: f32(0), inputHigh: f32(6) }));
    expect([r.grid.levelLow, r.grid.levelHigh, r.dtype, r.zeroPoint[0]]).toEqual([0, 255, 'uint8', 0]);
    expect(r.scale[0]).toBeCloseTo(6 / 255, 7);
  });

  it('asymmetric after TuneRange: zero point = round(−low·255/(high−low)) and 0 maps to it exactly', () => {
    const [lo, hi] = tuneRange(-1, 3, 256);
    expect(lo).toBeCloseTo(-64 / 191 * 3, 12);
    const s = act('a', 'x', { mode: 'asymmetric', signed: true, inputLow: f32(lo), inputHigh: f32(hi) });
    const r = p(s);
    expect([r.dtype, r.zeroPoint[0]]).toEqual(['uint8', 64]);
    expect(r.scale[0]).toBeCloseTo((hi - lo) / 255, 7);
    expect(quantizeValues(f32(0, -5, 5), [3], s, r.grid, r)).toEqual(Int32Array.of(64, 0, 255));
  });

  it('per-channel half-range weights (7-bit, levels 128) stay on their own grid: int8 in −64..63', () => {
    const s: QuantizerExportSpec = { id: 'w', target: { kind: 'weight', tensor: 'w' }, bits: 8, levels: 128, mode: 'symmetric', signed: true, narrowRange: false,
      perChannelAxis: 0, inputLow: f32(-1 * 64 / 63, -0.1 * 64 / 63), inputHigh: f32(1, 0.1) };
    const r = p(s);
    expect([r.grid.levelLow, r.grid.levelHigh, r.dtype]).toEqual([-64, 63, 'int8']);
    const x = f32(-2, -0.45, 0.45, 2, -0.2, 0.01, 0.04, 0.2);
    const k = quantizeValues(x, [2, 4], s, r.grid, r);
    expect(Array.from(k)).toEqual([-64, -28, 28, 63, -64, 6, 25, 63]);
    k.forEach((v, i) => { const c = i < 4 ? 0 : 1; expect((v - r.zeroPoint[c]) * r.scale[c]).toBeCloseTo(fakeQuantize(x[i], s.inputLow[c], s.inputHigh[c], 128), 6); });
  });

  it('DequantizeLinear of the stored integers equals the simulated FakeQuantize for random ranges and modes', () => {
    let seed = 3;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let t = 0; t < 200; t++) {
      const mode = t % 3 === 0 ? 'asymmetric' : 'symmetric';
      const signed = t % 3 === 1;
      const narrow = t % 6 === 2;
      const levels = narrow && signed ? 255 : 256;
      const a = rnd() * 4 - 2, b = a + 0.01 + rnd() * 3;
      const scale = 0.05 + rnd() * 3;
      const [lo, hi] = mode === 'asymmetric' ? tuneRange(a, b, levels) : signed ? [scale * (narrow ? -1 : -128 / 127), scale] : [0, scale];
      const s = act('q', 'x', { mode, signed: mode === 'asymmetric' || signed, narrowRange: narrow && signed, levels, inputLow: f32(lo), inputHigh: f32(hi) });
      const r = p(s);
      const x = Float32Array.from({ length: 50 }, () => (rnd() * 2 - 1) * 4);
      x[0] = 0;
      const k = quantizeValues(x, [50], s, r.grid, r);
      k.forEach((v, i) => {
        expect(v).toBeGreaterThanOrEqual(r.typeLow);
        expect(v).toBeLessThanOrEqual(r.typeHigh);
        const want = fakeQuantize(x[i], s.inputLow[0], s.inputHigh[0], levels);
        expect(Math.abs((v - r.zeroPoint[0]) * r.scale[0] - want)).toBeLessThan(1e-5 * (1 + Math.abs(want)));
      });
      expect((k[0] - r.zeroPoint[0]) * r.scale[0]).toBe(0);
    }
  });
});

describe('QDQ export: errors leave the graph untouched', () => {
  const base = () => parseOnnx(resnetStyle({ width: 8 }).bytes);
  const weight = (o: Partial<QuantizerExportSpec> = {}): QuantizerExportSpec => ({
    id: 'stem/Conv|WEIGHT', target: { kind: 'weight', tensor: 'stem.weight' }, bits: 8, levels: 255, mode: 'symmetric', signed: true, narrowRange: true,
    inputLow: f32(-1), inputHigh: f32(1), ...o,
  });
  const fails = (specs: QuantizerExportSpec[], msg: RegExp, standardOps = true) => {
    const g = base();
    const before = exportOnnx(g);
    expect(() => writeQuantizers(g, specs, { standardOps })).toThrow(QuantizedExportError);
    expect(() => writeQuantizers(g, specs, { standardOps })).toThrow(msg);
    expect(Buffer.from(exportOnnx(g)).equals(Buffer.from(before))).toBe(true);
  };

  it('bits above 16 with standard ops names the quantizer and the option; FakeQuantize accepts them', () => {
    // 2–16 bits are written (INT4/INT8/INT16 types, test/onnx/qdq-low-bits.test.ts); wider grids have no ONNX type
    fails([weight({ bits: 20, levels: 2 ** 20 - 1 })], /quantizer "stem\/Conv\|WEIGHT" has 20 bits.*export_to_onnx_standard_ops: false/);
    const g = base();
    writeQuantizers(g, [weight({ bits: 20, levels: 2 ** 20 - 1 })], { standardOps: false });
    expect(g.nodes.find((n) => n.opType === 'FakeQuantize')?.attributes.levels.value).toBe(2 ** 20 - 1);
  });

  it('a 255-level activation is clamped to its range before the 256-value QuantizeLinear (it no longer fails)', () => {
    const g = base();
    writeQuantizers(g, [act('stem|OUTPUT', 'stem/Relu_out', { levels: 255 })], { standardOps: true });
    const q = g.nodes.find((n) => n.opType === 'QuantizeLinear')!;
    expect(g.producer(q.inputs[0])!.opType).toBe('Min');
  });

  it('bad targets and ranges', () => {
    fails([weight({ target: { kind: 'weight', tensor: 'nope' } })], /not an initializer/);
    fails([act('x', 'nope', {})], /neither a node output nor a graph input/);
    fails([act('x', 'stem/Relu_out', { target: { kind: 'activation', tensor: 'stem/Relu_out', consumers: [{ node: 'fc/Gemm', port: 0 }] } })], /does not read/);
    fails([weight({ perChannelAxis: 0, inputLow: f32(-1, -1), inputHigh: f32(1, 1) })], /2 range values for 8 channels/);
    fails([weight({ inputLow: f32(1), inputHigh: f32(1) })], /empty range/);
    fails([weight({ levels: 512 })], /512 levels do not fit 8 bits/);
  });
});

describe('QDQ export: hooks, folding, opset', () => {
  it('a pre-hook quantizes only the listed consumer port; a post-hook on the graph output keeps its name', async () => {
    const m = resnetStyle({ width: 8 });
    const g = parseOnnx(m.bytes);
    const relu = 'stem/Relu_out';
    writeQdqQuantizers(g, [
      act('layer1.0.conv1/Conv|INPUT0', relu, { target: { kind: 'activation', tensor: relu, consumers: [{ node: 'layer1.0.conv1/Conv', port: 0 }] }, inputHigh: f32(4) }),
      act('fc/Gemm|OUTPUT', 'logits', { signed: true, inputLow: f32(-1 * 128 / 127), inputHigh: f32(1) }),
    ]);
    expect(g.node('layer1.0.conv1/Conv')!.inputs[0]).not.toBe(relu);
    expect(g.producer(g.node('layer1.0.conv1/Conv')!.inputs[0])!.opType).toBe('DequantizeLinear');
    expect(g.node('layer1.0/Add')!.inputs).toContain(relu);
    expect(g.producer('logits')!.opType).toBe('DequantizeLinear');
    const feeds = feedsFor('input', [4, 3, 32, 32], 9);
    const out = (await runOrt(exportOnnx(g), feeds, { graphOptimizationLevel: 'disabled' })).logits.data as Float32Array;
    const ref = (await runOrt(referenceModel(m.bytes, [act('o', 'logits', { signed: true, inputLow: f32(-1 * 128 / 127), inputHigh: f32(1) })]), feeds)).logits.data as Float32Array;
    // logits on the 1/127 grid; the conv input quantizer moves them by less than a few steps
    out.forEach((v) => expect(Math.abs(v * 127 - Math.round(v * 127))).toBeLessThan(1e-3));
    let diff = 0;
    out.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - ref[i]))));
    expect(diff).toBeLessThan(0.05);
  });

  it('a per-tensor weight folded with its BatchNormalization becomes per-channel with the same integers', async () => {
    const m = resnetStyle({ width: 8 });
    const g = parseOnnx(m.bytes);
    const spec: QuantizerExportSpec = { id: 'stem/Conv|WEIGHT', target: { kind: 'weight', tensor: 'stem.weight' }, bits: 8, levels: 255, mode: 'symmetric',
      signed: true, narrowRange: true, inputLow: f32(-0.3), inputHigh: f32(0.3) };
    const summary = writeQdqQuantizers(g, [spec]);
    expect(summary.foldedBatchNorms).toEqual(['stem/BatchNormalization']);
    // the conv's input is not quantized here, so the weight is written in the weight-only form (Cast·Mul)
    // with the scale broadcast along axis 0
    expect(summary.weightOnly).toEqual(['stem.weight']);
    const mul = g.producer('stem.weight')!;
    expect(mul.opType).toBe('Mul');
    expect(g.initializers.get(mul.inputs[1])!.dims).toEqual([8, 1, 1, 1]);
    const scale = g.initializers.get(mul.inputs[1])!.values as Float32Array;
    const bn = parseOnnx(m.bytes);
    const gamma = bn.initializers.get('stem.bn.scale')!.values as Float32Array, v = bn.initializers.get('stem.bn.var')!.values as Float32Array;
    scale.forEach((s, c) => expect(s).toBeCloseTo((0.3 / 127) * gamma[c] / Math.sqrt(v[c] + 1e-5), 8));
    const feeds = feedsFor('input', [4, 3, 32, 32], 2);
    const a = (await runOrt(exportOnnx(g), feeds, { graphOptimizationLevel: 'disabled' })).logits.data as Float32Array;
    const r = (await runOrt(referenceModel(m.bytes, [spec]), feeds)).logits.data as Float32Array;
    a.forEach((x, i) => expect(x).toBeCloseTo(r[i], 5));
  });

  it('raises opset 11 to 13 for per-channel axes (Clip/Unsqueeze upgraded) and refuses a Softmax whose meaning would change', async () => {
    const m = mobilenetV2Style({ opset: 11 });
    const g = parseOnnx(m.bytes);
    const spec: QuantizerExportSpec = { id: 'fc/Gemm|WEIGHT', target: { kind: 'weight', tensor: 'fc.weight' }, bits: 8, levels: 255, mode: 'symmetric',
      signed: true, narrowRange: true, perChannelAxis: 0, inputLow: new Float32Array(10).fill(-0.2), inputHigh: new Float32Array(10).fill(0.2) };
    expect(writeQdqQuantizers(g, [spec], { foldBatchNorm: false }).opset).toEqual({ from: 11, to: 13 });
    const feeds = feedsFor('input', [2, 3, 32, 32], 4);
    const a = (await runOrt(exportOnnx(g), feeds)).logits.data as Float32Array;
    const r = (await runOrt(referenceModel(m.bytes, [spec]), feeds)).logits.data as Float32Array;
    a.forEach((x, i) => expect(x).toBeCloseTo(r[i], 5));

    const build = (softmaxAxis: number) => {
      const b = new OnnxBuilder({ opset: 11, seed: 5 });
      const x = b.input('x', [2, 4, 3, 3]);
      const y = b.node('Conv', [x, b.randomWeight('w', [4, 4, 1, 1])], { kernel_shape: [1, 1] }, { name: 'conv' });
      const u = b.node('Unsqueeze', [b.node('Softmax', [y], { axis: softmaxAxis }, { name: 'softmax' })], { axes: [0] }, { name: 'unsqueeze' });
      b.output(u, [1, 2, 4, 3, 3]);
      return b.toGraph();
    };
    const w: QuantizerExportSpec = { ...spec, id: 'conv|WEIGHT', target: { kind: 'weight', tensor: 'w' }, inputLow: new Float32Array(4).fill(-1), inputHigh: new Float32Array(4).fill(1) };
    const bad = build(1);
    expect(() => writeQdqQuantizers(bad, [w])).toThrow(/node "softmax" \(Softmax\) changed at opset 13/);
    expect([bad.node('unsqueeze')!.inputs.length, bad.opsets.get(''), bad.initializers.get('w')!.dtype]).toEqual([1, 11, 'float32']);
    const ok = build(3);
    writeQdqQuantizers(ok, [w]);
    expect(ok.node('unsqueeze')!.inputs.length).toBe(2);
    const out = await runOrt(exportOnnx(ok), { x: { dims: [2, 4, 3, 3], data: feedsFor('x', [72], 1).x.data } });
    expect(Object.values(out)[0].dims).toEqual([1, 2, 4, 3, 3]);
  });
});
