/**
 * BatchNormalization after a ConvTranspose in the QDQ export: ConvTranspose's weight is [Cin, Cout/group, kh, kw],
 * so the fold multiplies the per-channel scale on axis 1 (and negates the integers of a channel whose
 * BN factor is negative across every input channel). Checked against ORT on the unfolded export.
 */
import { describe, expect, it } from 'vitest';
import { exportOnnx, writeQdqQuantizers, type QuantizerExportSpec } from '../../src/exporters/onnx/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { runOrt, seededFloats } from './ort-utils.js';

const CIN = 8, COUT = 6;

/** input [N,8,6,6] → ConvTranspose (stride 2, bias?) → BN (one negative γ) → Relu → Conv 1×1 → logits. */
function model(opts: { group?: number; bias?: boolean } = {}): Uint8Array {
  const group = opts.group ?? 1;
  const b = new OnnxBuilder({ opset: 13, seed: 21 });
  const x = b.input('input', ['N', CIN, 6, 6]);
  const w = b.randomWeight('up.w', [CIN, COUT / group, 3, 3]);
  const ins = opts.bias === false ? [x, w] : [x, w, b.uniform('up.b', [COUT], -0.2, 0.2)];
  let y = b.node('ConvTranspose', ins, { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1], group }, { name: 'up' });
  const gamma = Float32Array.from([0.8, -1.3, 1.1, 0.6, 1.4, -0.7]);
  y = b.node('BatchNormalization', [y, b.initializer('bn.g', 'float32', [COUT], gamma), b.uniform('bn.b', [COUT], -0.1, 0.1), b.uniform('bn.m', [COUT], -0.2, 0.2), b.uniform('bn.v', [COUT], 0.5, 1.5)], { epsilon: 1e-5 }, { name: 'bn' });
  y = b.node('Relu', [y], {}, { name: 'relu' });
  b.output(b.node('Conv', [y, b.randomWeight('head.w', [4, COUT, 1, 1]), b.uniform('head.b', [4], -0.1, 0.1)], {}, { name: 'head', outputs: ['logits'] }), ['N', 4, 12, 12]);
  return b.toBytes();
}

/** Symmetric 8-bit weight quantizers (ConvTranspose per channel on axis 1, the head per channel on axis 0) and a uint8 input quantizer. */
function specs(bytes: Uint8Array, perTensor = false): QuantizerExportSpec[] {
  const g = parseOnnx(bytes);
  const weight = (node: string, axis: number): QuantizerExportSpec => {
    const w = g.initializers.get(g.nodes.find((n) => n.name === node)!.inputs[1])!;
    const c = w.dims[axis], inner = w.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const high = new Float32Array(perTensor ? 1 : c);
    (w.values as Float32Array).forEach((v, i) => { const k = perTensor ? 0 : Math.floor(i / inner) % c; high[k] = Math.max(high[k], Math.abs(v)); });
    return { id: `${node}|WEIGHT`, target: { kind: 'weight', tensor: w.name }, bits: 8, levels: 255, mode: 'symmetric', signed: true, narrowRange: true, ...(perTensor ? {} : { perChannelAxis: axis }), inputLow: high.map((h) => -h), inputHigh: high };
  };
  const act: QuantizerExportSpec = { id: 'input|OUTPUT', target: { kind: 'activation', tensor: 'input' }, bits: 8, levels: 256, mode: 'symmetric', signed: true, narrowRange: false, inputLow: Float32Array.of(-1), inputHigh: Float32Array.of(1) };
  return [weight('up', 1), weight('head', 0), act];
}

const x = { input: { dims: [3, CIN, 6, 6], data: seededFloats(3 * CIN * 36, 5).map((v) => v * 2 - 1) } };

function exportWith(bytes: Uint8Array, s: QuantizerExportSpec[], foldBatchNorm: boolean) {
  const g = parseOnnx(bytes);
  const summary = writeQdqQuantizers(g, s, { foldBatchNorm });
  return { bytes: exportOnnx(g), summary, graph: g };
}

async function logits(bytes: Uint8Array): Promise<Float32Array> {
  return (await runOrt(bytes, x, { graphOptimizationLevel: 'disabled' })).logits.data as Float32Array;
}

describe('QDQ export: BatchNormalization after a ConvTranspose', () => {
  for (const c of [{ name: 'per-channel weight, with bias', perTensor: false, bias: true }, { name: 'per-tensor weight, no bias', perTensor: true, bias: false }])
    it(`${c.name}: folded into the weight scale on axis 1, ORT output equal to the unfolded export within 1e-4`, async () => {
      const bytes = model({ bias: c.bias });
      const s = specs(bytes, c.perTensor);
      const folded = exportWith(bytes, s, true);
      const kept = exportWith(bytes, s, false);
      expect(folded.summary.foldedBatchNorms).toEqual(['bn']);
      expect(folded.graph.nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(0);
      expect(kept.graph.nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(1);
      const dq = folded.graph.producer('up.w')!;
      expect(dq.attributes.axis?.value).toBe(1);
      const scale = folded.graph.initializers.get(dq.inputs[1])!;
      expect(scale.dims).toEqual([COUT]);
      // the integers are the unfolded ones, negated in the channels whose γ is negative (1 and 5)
      const qa = folded.graph.initializers.get(dq.inputs[0])!.values as Int8Array;
      const qb = kept.graph.initializers.get(kept.graph.producer('up.w')!.inputs[0])!.values as Int8Array;
      qa.forEach((v, i) => expect(v).toBe([1, 5].includes(Math.floor(i / 9) % COUT) ? -qb[i] : qb[i]));
      const [a, b] = [await logits(folded.bytes), await logits(kept.bytes)];
      const peak = Math.max(...b.map(Math.abs));
      expect(peak).toBeGreaterThan(0.1);
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / peak).toBeLessThan(1e-4);
    });

  it('group > 1: BN left in place (one axis-1 scale cannot carry each group’s factors)', () => {
    const bytes = model({ group: 2 });
    const s = specs(bytes);
    expect(exportWith(bytes, s, true).summary.foldedBatchNorms).toEqual([]);
  });

  it('a per-channel weight range on axis 0 (not the output axis): BN left in place', () => {
    const bytes = model();
    const s = specs(bytes);
    const wrong = s.map((q) => (q.id === 'up|WEIGHT' ? { ...q, perChannelAxis: 0, inputLow: new Float32Array(CIN).fill(-0.5), inputHigh: new Float32Array(CIN).fill(0.5) } : q));
    expect(exportWith(bytes, wrong, true).summary.foldedBatchNorms).toEqual([]);
  });
});
