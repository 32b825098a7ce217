import { beforeAll, describe, expect, it } from 'vitest';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { exportOnnx, writeQuantizers, OPENVINO_DOMAIN, type QuantizerExportSpec } from '../../src/exporters/onnx/index.js';
import type { Graph } from '../../src/graph/graph.js';
import type { GraphNode } from '../../src/graph/types.js';
import { decodeModel } from '../../src/runtime/index.js';
import { resnetStyle } from '../helpers/models.js';
import { runOrt } from './ort-utils.js';
import { collectStats, feedsFor, makeSpecs, referenceModel } from './quantized-export-sim.js';

/** OpenVINO FakeQuantize semantics as float ONNX ops, so ORT can run an exported FakeQuantize model. */
function decomposeFakeQuantize(g: Graph): void {
  const nodes: GraphNode[] = [];
  let k = 0;
  const c = (dims: number[], v: Float32Array) => { const name = `dec_c${k++}`; g.initializers.set(name, { name, dtype: 'float32', dims, values: v }); return name; };
  for (const n of g.nodes) {
    if (n.opType !== 'FakeQuantize') { nodes.push(n); continue; }
    const [x, il, ih, ol, oh] = n.inputs.map((i) => g.initializers.get(i));
    const L = Number(n.attributes.levels.value) - 1;
    const dims = il!.dims;
    const op = (type: string, inputs: string[], out = `dec_t${k++}`) => { nodes.push({ name: `dec_n${k++}`, opType: type, domain: '', inputs, outputs: [out], attributes: {}, scope: '' }); return out; };
    const lo = il!.values as Float32Array, hi = ih!.values as Float32Array, olo = ol!.values as Float32Array, ohi = oh!.values as Float32Array;
    const inRange = lo.map((v, i) => hi[i] - v), outRange = olo.map((v, i) => ohi[i] - v);
    const t = op('Round', [op('Mul', [op('Div', [op('Sub', [op('Min', [op('Max', [n.inputs[0], c(dims, lo)]), c(dims, hi)]), c(dims, lo)]), c(dims, inRange)]), c([], Float32Array.of(L))])]);
    op('Add', [op('Mul', [op('Div', [t, c([], Float32Array.of(L))]), c(dims, outRange)]), c(dims, olo)], n.outputs[0]);
    void x;
  }
  g.nodes = nodes;
  g.opsets.delete(OPENVINO_DOMAIN);
  g.reindex();
}

describe('FakeQuantize export (export_to_onnx_standard_ops false/absent)', () => {
  const model = resnetStyle({ width: 16 });
  let specs: QuantizerExportSpec[];
  let bytes: Uint8Array;
  beforeAll(async () => {
    const stats = await collectStats(model.bytes, feedsFor('input', [8, 3, 32, 32], 1));
    // 4-bit weights and 8-bit activations: any bit width is allowed here
    specs = makeSpecs(parseOnnx(model.bytes), stats, { weightBits: 4, asymmetricInput: true });
    const g = parseOnnx(model.bytes);
    writeQuantizers(g, specs);
    bytes = exportOnnx(g);
  });

  it('one FakeQuantize per quantizer in org.openvinotoolkit with levels, NNCF input layout and the domain imported', () => {
    const proto = decodeModel(bytes, 'fq');
    expect(Number(proto.opset_import?.find((o) => o.domain === OPENVINO_DOMAIN)?.version)).toBe(1);
    const g = parseOnnx(bytes);
    const fq = g.nodes.filter((n) => n.opType === 'FakeQuantize');
    expect(fq.length).toBe(specs.length);
    expect(fq.length).toBe(7 + 10);
    for (const n of fq) {
      expect(n.domain).toBe(OPENVINO_DOMAIN);
      expect(n.inputs.length).toBe(5);
      expect(n.inputs[3]).toBe(n.inputs[1]); // output_low = input_low
      expect(n.inputs[4]).toBe(n.inputs[2]);
    }
    expect(g.nodes.filter((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear').length).toBe(0);
  });

  it('weights stay float and per-channel ranges are shaped [C,1,1,1]; activations per tensor [1]', () => {
    const g = parseOnnx(bytes);
    for (const s of specs) {
      const n = g.nodes.find((x) => x.opType === 'FakeQuantize' && x.name.startsWith(s.id))!;
      const lo = g.initializers.get(n.inputs[1])!, hi = g.initializers.get(n.inputs[2])!;
      expect(Array.from(lo.values as Float32Array)).toEqual(Array.from(s.inputLow));
      expect(Array.from(hi.values as Float32Array)).toEqual(Array.from(s.inputHigh));
      if (s.target.kind === 'weight') {
        expect(n.attributes.levels.value).toBe(15); // 4-bit narrow range −7..7
        expect(n.inputs[0]).toBe(s.target.tensor);
        expect(g.initializers.get(s.target.tensor)!.dtype).toBe('float32');
        const rank = g.initializers.get(s.target.tensor)!.dims.length;
        expect(lo.dims).toEqual([s.inputLow.length, ...Array(rank - 1).fill(1)]);
        for (const c of g.consumers(n.outputs[0])) expect(['Conv', 'Gemm']).toContain(c.opType);
      } else {
        expect(n.attributes.levels.value).toBe(256);
        expect(lo.dims).toEqual([1]);
      }
    }
    const input = specs.find((s) => s.target.tensor === 'input')!;
    expect(input.mode).toBe('asymmetric');
    expect(g.consumers('input').map((n) => n.opType)).toEqual(['FakeQuantize']);
  });

  it('onnxruntime cannot run it, but with FakeQuantize written as float ops it equals the simulated model', async () => {
    const feeds = feedsFor('input', [8, 3, 32, 32], 5);
    await expect(runOrt(bytes, feeds)).rejects.toThrow();
    const g = parseOnnx(bytes);
    decomposeFakeQuantize(g);
    const a = (await runOrt(exportOnnx(g), feeds)).logits.data as Float32Array;
    const r = (await runOrt(referenceModel(model.bytes, specs), feeds)).logits.data as Float32Array;
    let close = 0, max = 0;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i] - r[i]);
      max = Math.max(max, d);
      if (d < 1e-5) close++;
    }
    expect(close / a.length).toBeGreaterThan(0.9);
    expect(max).toBeLessThan(2e-3);
  });

  it('a clip range (NNCF half-range export) becomes Max → Min before the FakeQuantize', () => {
    const g = parseOnnx(model.bytes);
    const w = g.initializers.get('stem.weight')!;
    const spec: QuantizerExportSpec = {
      id: 'stem/Conv|WEIGHT', target: { kind: 'weight', tensor: 'stem.weight' }, bits: 8, levels: 256, mode: 'symmetric', signed: true, narrowRange: false,
      perChannelAxis: 0, inputLow: new Float32Array(16).fill(-0.4 * 128 / 127), inputHigh: new Float32Array(16).fill(0.4),
      clip: { low: Float32Array.of(-0.2 * 64 / 63), high: Float32Array.of(0.2) },
    };
    writeQuantizers(g, [spec], { standardOps: false });
    const fq = g.nodes.find((n) => n.opType === 'FakeQuantize')!;
    const min = g.producer(fq.inputs[0])!, max = g.producer(min.inputs[0])!;
    expect([max.opType, min.opType]).toEqual(['Max', 'Min']);
    expect(max.inputs[0]).toBe('stem.weight');
    expect(g.initializers.get(min.inputs[1])!.values[0]).toBeCloseTo(0.2, 7);
    expect(g.initializers.get(fq.inputs[1])!.dims).toEqual([16, 1, 1, 1]);
    expect(w.dims.length).toBe(4);
  });
});
