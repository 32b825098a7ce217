import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { exportOnnx, writeQdqQuantizers, type QdqExportOptions, type QuantizerExportSpec } from '../../src/exporters/onnx/index.js';
import { countOpTypes, saveOptimizedModel } from '../../src/runtime/index.js';
import { mobilenetV2Style, resnetStyle, type TestModel } from '../helpers/models.js';
import { runOrt, type Feeds } from './ort-utils.js';
import { collectStats, feedsFor, makeSpecs, referenceModel, type SpecOptions } from './quantized-export-sim.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-qdq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BATCH = 32;
const feeds: Feeds = feedsFor('input', [BATCH, 3, 32, 32], 5);

async function specsFor(model: TestModel, o: SpecOptions = {}): Promise<QuantizerExportSpec[]> {
  return makeSpecs(parseOnnx(model.bytes), await collectStats(model.bytes, feedsFor('input', [16, 3, 32, 32], 1)), o);
}

function qdqModel(model: TestModel, specs: QuantizerExportSpec[], opts: QdqExportOptions = {}): Uint8Array {
  const g = parseOnnx(model.bytes);
  writeQdqQuantizers(g, specs, opts);
  return exportOnnx(g);
}

async function logits(bytes: Uint8Array, level: 'disabled' | 'all' = 'all'): Promise<Float32Array> {
  return (await runOrt(bytes, feeds, { graphOptimizationLevel: level })).logits.data as Float32Array;
}

const argmax = (x: Float32Array, b: number, c: number) => {
  let k = 0;
  for (let j = 1; j < c; j++) if (x[b * c + j] > x[b * c + k]) k = j;
  return k;
};

function compare(a: Float32Array, ref: Float32Array) {
  let max = 0, sum = 0, close = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - ref[i]);
    max = Math.max(max, d);
    sum += d;
    if (d <= 1e-6) close++;
  }
  let top1 = 0;
  for (let b = 0; b < BATCH; b++) if (argmax(a, b, 10) === argmax(ref, b, 10)) top1++;
  return { max, mean: sum / a.length, close: close / a.length, top1 };
}

/** Op counts of ORT's optimized graph ('extended': QDQ fusions, no CPU-specific layouts); com.microsoft ops unprefixed. */
async function optimizedCounts(bytes: Uint8Array, name: string): Promise<Map<string, number>> {
  const path = join(dir, `${name}.onnx`);
  await saveOptimizedModel(bytes, path);
  const n = new Map<string, number>();
  for (const [k, v] of await countOpTypes(path)) n.set(k.replace(/^com\.microsoft:/, ''), v);
  return n;
}

const cases = [
  { name: 'ResNet-style', model: resnetStyle({ width: 64 }), convs: 6, gemms: 1 },
  { name: 'MobileNetV2-style', model: mobilenetV2Style(), convs: 11, gemms: 1 },
];

for (const c of cases)
  describe(`QDQ export: ${c.name}`, () => {
    let specs: QuantizerExportSpec[];
    let ref: Float32Array;
    let fp32: Float32Array;
    let qdq: Uint8Array;
    beforeAll(async () => {
      specs = await specsFor(c.model);
      ref = await logits(referenceModel(c.model.bytes, specs));
      fp32 = await logits(c.model.bytes);
      qdq = qdqModel(c.model, specs);
    });

    it('writes one DQ per weight, Q+DQ per activation, int8 weights replacing the float ones', () => {
      const g = parseOnnx(qdq);
      const weights = specs.filter((s) => s.target.kind === 'weight');
      expect(weights.length).toBe(c.convs + c.gemms);
      for (const s of weights) {
        expect(g.initializers.has(s.target.tensor)).toBe(false);
        const dq = g.producer(s.target.tensor)!;
        expect(dq.opType).toBe('DequantizeLinear');
        const q = g.initializers.get(dq.inputs[0])!;
        expect(q.dtype).toBe('int8');
        // narrow range: −127..127 only, and the largest |w| of each channel maps to ±127
        const v = q.values as Int8Array;
        expect(v.reduce((a, b) => Math.min(a, b), 0)).toBeGreaterThanOrEqual(-127);
        expect(v.reduce((a, b) => Math.max(a, Math.abs(b)), 0)).toBe(127);
        expect(dq.attributes.axis?.value).toBe(0);
      }
      const acts = specs.filter((s) => s.target.kind === 'activation').length;
      expect(g.nodes.filter((n) => n.opType === 'QuantizeLinear').length).toBe(acts);
      // weights + activations + int32 biases (the Gemm's only: ORT quantizes float Conv biases itself)
      expect(g.nodes.filter((n) => n.opType === 'DequantizeLinear').length).toBe(weights.length + acts + c.gemms);
      expect(g.nodes.filter((n) => n.opType === 'BatchNormalization').length).toBe(0);
      expect(g.opsets.get('')).toBe(13);
    });

    it('unsigned activations (ReLU/Clip outputs) are uint8 with zero point 0, signed ones uint8 with zero point 128', () => {
      const g = parseOnnx(qdq);
      let unsigned = 0, signed = 0;
      for (const s of specs.filter((x) => x.target.kind === 'activation')) {
        const q = g.nodes.find((n) => n.opType === 'QuantizeLinear' && n.name.startsWith(s.id))!;
        const zp = g.initializers.get(q.inputs[2])!;
        const scale = (g.initializers.get(q.inputs[1])!.values as Float32Array)[0];
        expect(zp.dtype).toBe('uint8');
        if (s.signed) {
          signed++;
          expect(zp.values[0]).toBe(128);
          expect(scale).toBeCloseTo(s.inputHigh[0] / 127, 7);
        } else {
          unsigned++;
          expect(zp.values[0]).toBe(0);
          expect(scale).toBeCloseTo(s.inputHigh[0] / 255, 7);
        }
      }
      expect(unsigned).toBeGreaterThan(3);
      expect(signed).toBeGreaterThan(1);
    });

    it('float QDQ path equals the simulated model (weights fake-quantized in JS, activations by float ops)', async () => {
      const exact = await logits(qdqModel(c.model, specs, { quantizeBias: false }), 'disabled');
      const r = compare(exact, ref);
      // identical up to float rounding; an element that falls on a rounding boundary may move one level
      expect(r.close).toBeGreaterThan(0.9);
      expect(r.mean).toBeLessThan(2e-5);
      expect(r.max).toBeLessThan(5e-4);
      expect(r.top1).toBe(BATCH);
    });

    it('integer kernels in ORT agree with the simulation far better than FP32 does', async () => {
      const r = compare(await logits(qdq, 'all'), ref);
      const f = compare(fp32, ref);
      expect(r.mean).toBeLessThan(0.5 * f.mean);
      expect(r.max).toBeLessThan(0.01 * Math.max(...ref.map(Math.abs)));
      expect(r.top1).toBe(BATCH);
    });

    it('ORT turns every Conv and Gemm into an integer kernel', async () => {
      const n = await optimizedCounts(qdq, `${c.name}-opt`);
      const get = (k: string) => n.get(k) ?? 0;
      expect(get('QLinearConv') + get('ConvInteger')).toBe(c.convs);
      expect(get('QGemm') + get('MatMulInteger')).toBe(c.gemms);
      expect(get('Conv') + get('FusedConv') + get('Gemm')).toBe(0);
    });
  });

describe('QDQ export: what makes ORT fuse', () => {
  it('file size ≤ 0.27× FP32 on a weight-heavy model', async () => {
    const model = resnetStyle({ width: 64 });
    const bytes = qdqModel(model, await specsFor(model));
    expect(bytes.length / model.bytes.length).toBeLessThan(0.27);
    expect(bytes.length / model.bytes.length).toBeGreaterThan(0.24);
  });

  it('int8 activations after ReLU leave half of the ResNet convs in float (why unsigned → uint8)', async () => {
    const model = resnetStyle({ width: 64 });
    const n = await optimizedCounts(qdqModel(model, await specsFor(model, { nonNegative: 'signed' })), 'relu-int8');
    expect(n.get('QLinearConv')).toBe(3);
    expect((n.get('FusedConv') ?? 0) + (n.get('Conv') ?? 0)).toBe(3);
  });

  it("NNCF's int8 form for signed activations leaves 2 of 11 MobileNetV2 convs in float; the shifted uint8 form fuses all", async () => {
    const model = mobilenetV2Style();
    const specs = await specsFor(model);
    const int8 = qdqModel(model, specs, { signedActivationType: 'int8' });
    const g = parseOnnx(int8);
    const zps = g.nodes.filter((x) => x.opType === 'QuantizeLinear').map((q) => g.initializers.get(q.inputs[2])!);
    expect(zps.filter((z) => z.dtype === 'int8').every((z) => z.values[0] === 0)).toBe(true);
    expect(zps.filter((z) => z.dtype === 'int8').length).toBe(specs.filter((s) => s.target.kind === 'activation' && s.signed).length);
    const n = await optimizedCounts(int8, 'mbv2-int8');
    expect(n.get('QLinearConv')).toBe(9);
    expect(n.get('Conv')).toBe(2);
    // same numbers either way
    const [a, b] = [await logits(int8, 'disabled'), await logits(qdqModel(model, specs), 'disabled')];
    expect(compare(a, b).max).toBe(0);
  });

  it('Conv biases stay float and Conv weights have no zero point: same ORT integer outputs as int32 biases, a smaller file', async () => {
    const model = mobilenetV2Style();
    const specs = await specsFor(model);
    const small = qdqModel(model, specs);
    const int32 = qdqModel(model, specs, { quantizeBias: true });
    const g = parseOnnx(small);
    for (const conv of g.nodes.filter((n) => n.opType === 'Conv')) {
      expect(g.initializers.get(conv.inputs[2])?.dtype).toBe('float32');
      expect(g.producer(conv.inputs[1])!.inputs.length).toBe(2); // DequantizeLinear(q, scale): zero point 0 by default
    }
    const gemm = g.nodes.find((n) => n.opType === 'Gemm')!;
    expect(g.producer(gemm.inputs[2])!.opType).toBe('DequantizeLinear');
    expect(g.producer(gemm.inputs[1])!.inputs.length).toBe(3); // ORT 1.30 fuses QGemm only with a weight zero point
    // each Conv saved a per-channel scale (4 bytes a channel) and its zero points (1 byte a channel)
    const channels = g.nodes.filter((n) => n.opType === 'Conv').reduce((a, n) => a + g.initializers.get(n.inputs[2])!.dims[0], 0);
    expect(int32.length - small.length).toBeGreaterThan(5 * channels);
    const n = await optimizedCounts(small, 'float-conv-bias');
    expect(n.get('QLinearConv')).toBe(11);
    expect(n.get('QGemm')).toBe(1);
    expect(compare(await logits(small, 'all'), await logits(int32, 'all')).max).toBe(0);
  });

  it('without int32 biases ORT still fuses the convs but leaves the Gemm in float', async () => {
    const model = resnetStyle({ width: 16 });
    const n = await optimizedCounts(qdqModel(model, await specsFor(model), { quantizeBias: false }), 'no-bias');
    expect(n.get('QLinearConv')).toBe(6);
    expect(n.get('Gemm')).toBe(1);
    expect(n.get('QGemm')).toBeUndefined();
  });
});
