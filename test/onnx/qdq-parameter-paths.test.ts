/**
 * QDQ export of models whose BatchNormalization parameters reach BN through Identity nodes (what
 * PyTorch's `training=PRESERVE` export writes for a freshly initialised model): the export resolves
 * the aliases, folds every BN into its quantized Conv, and ORT then runs every Conv as QLinearConv —
 * the same integer model as when BN reads its parameters directly.
 */
import { describe, expect, it } from 'vitest';
import { exportOnnx, writeQdqQuantizers, writeQuantizers, type OrtCleanupSummary, type QdqExportSummary, type QuantizerExportSpec } from '../../src/exporters/onnx/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { countLinearKernels } from '../../src/runtime/index.js';
import { mobilenetV2Style, resnetStyle, type TestModel } from '../helpers/models.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { runOrt, seededFloats } from './ort-utils.js';
import { collectStats, feedsFor, makeSpecs } from './quantized-export-sim.js';

/** The model with every BN parameter read through a chain of two Identity nodes. */
function withIdentityParams(model: TestModel): Uint8Array {
  const g = parseOnnx(model.bytes);
  for (const bn of g.nodes.filter((n) => n.opType === 'BatchNormalization'))
    bn.inputs = bn.inputs.map((t, port) => {
      if (port === 0) return t;
      const a = `${t}/alias1`, b = `${t}/alias2`;
      g.nodes.push({ name: a, opType: 'Identity', domain: '', inputs: [t], outputs: [a], attributes: {}, scope: a });
      g.nodes.push({ name: b, opType: 'Identity', domain: '', inputs: [a], outputs: [b], attributes: {}, scope: b });
      return b;
    });
  g.reindex();
  return exportOnnx(g);
}

const feeds = feedsFor('input', [4, 3, 32, 32], 9);

for (const { name, model, convs } of [
  { name: 'ResNet-style', model: resnetStyle({ width: 32 }), convs: 6 },
  { name: 'MobileNetV2-style', model: mobilenetV2Style(), convs: 11 },
])
  describe(`QDQ export, BN parameters behind Identity: ${name}`, () => {
    it('folds every BN and gives as many integer Convs as the direct-parameter model, with identical outputs', async () => {
      const specs = makeSpecs(parseOnnx(model.bytes), await collectStats(model.bytes, feedsFor('input', [8, 3, 32, 32], 1)));
      const direct = parseOnnx(model.bytes);
      writeQuantizers(direct, specs, { standardOps: true });
      const aliased: Graph = parseOnnx(withIdentityParams(model));
      expect(aliased.nodes.filter((n) => n.opType === 'Identity')).toHaveLength(convs * 8);
      const summary = writeQuantizers(aliased, specs, { standardOps: true }) as QdqExportSummary & OrtCleanupSummary;
      expect(summary.constantAliases).toBe(convs * 8);
      expect(summary.foldedBatchNorms).toHaveLength(convs);
      expect(aliased.nodes.filter((n) => n.opType === 'BatchNormalization' || n.opType === 'Identity')).toHaveLength(0);
      const [a, d] = [exportOnnx(aliased), exportOnnx(direct)];
      expect(await countLinearKernels(a)).toEqual(await countLinearKernels(d));
      expect((await countLinearKernels(a)).integerOps).toEqual({ QLinearConv: convs, 'com.microsoft:QGemm': 1 });
      expect((await runOrt(a, feeds)).logits.bytes).toEqual((await runOrt(d, feeds)).logits.bytes);
    });

    it('without the clean-up (writeQdqQuantizers alone) BN stays and ORT keeps the Convs float', async () => {
      const specs = makeSpecs(parseOnnx(model.bytes), await collectStats(model.bytes, feedsFor('input', [8, 3, 32, 32], 1)));
      const g = parseOnnx(withIdentityParams(model));
      expect(writeQdqQuantizers(g, specs).foldedBatchNorms).toHaveLength(0);
      const k = await countLinearKernels(exportOnnx(g));
      expect(k.integerOps.QLinearConv ?? 0).toBe(0);
      expect(k.float).toBe(convs);
    });
  });

describe('QDQ export: BatchNormalization after a Gemm (Linear + BatchNorm1d)', () => {
  /** input [N,16] → Gemm(transB) → BN → Relu → Gemm → logits; `opts` varies the first Gemm. */
  function mlp(opts: { transB?: number; bias?: 'channel' | 'scalar' } = {}): Uint8Array {
    const b = new OnnxBuilder({ opset: 13, seed: 8 });
    const x = b.input('input', ['N', 16]);
    const transB = opts.transB ?? 1;
    const w = b.randomWeight('fc1.w', transB ? [24, 16] : [16, 24]);
    const bias = opts.bias === 'scalar' ? b.uniform('fc1.b', [1], -0.1, 0.1) : b.uniform('fc1.b', [24], -0.1, 0.1);
    let y = b.node('Gemm', [x, w, bias], { transB }, { name: 'fc1' });
    y = b.node('BatchNormalization', [y, b.uniform('bn.g', [24], 0.5, 1.5), b.uniform('bn.b', [24], -0.1, 0.1), b.uniform('bn.m', [24], -0.2, 0.2), b.uniform('bn.v', [24], 0.5, 1.5)], { epsilon: 1e-5 }, { name: 'bn' });
    y = b.node('Relu', [y], {}, { name: 'relu' });
    b.output(b.node('Gemm', [y, b.randomWeight('fc2.w', [10, 24]), b.uniform('fc2.b', [10], -0.1, 0.1)], { transB: 1 }, { name: 'fc2', outputs: ['logits'] }), ['N', 10]);
    return b.toBytes();
  }
  const x = { input: { dims: [32, 16], data: seededFloats(32 * 16, 4) } };
  const mlpSpecs = async (bytes: Uint8Array): Promise<QuantizerExportSpec[]> => {
    const specs = makeSpecs(parseOnnx(bytes), await collectStats(bytes, x));
    // makeSpecs assumes the output channel on axis 0; a transB = 0 weight is quantized per tensor here
    return specs.map((s) => (s.target.kind === 'weight' && parseOnnx(bytes).consumers(s.target.tensor)[0].attributes.transB?.value === 0
      ? { ...s, perChannelAxis: undefined, inputLow: Float32Array.of(Math.min(...s.inputLow)), inputHigh: Float32Array.of(Math.max(...s.inputHigh)) } : s));
  };
  const exportWith = (bytes: Uint8Array, specs: QuantizerExportSpec[], foldBatchNorm: boolean) => {
    const g = parseOnnx(bytes);
    const summary = writeQdqQuantizers(g, specs, { foldBatchNorm });
    return { bytes: exportOnnx(g), summary };
  };

  it('Gemm with transB = 1: BN folded exactly (same outputs as BN kept, to float rounding), both Gemms QGemm, no BN left', async () => {
    const bytes = mlp();
    const specs = await mlpSpecs(bytes);
    const folded = exportWith(bytes, specs, true);
    const kept = exportWith(bytes, specs, false);
    expect(folded.summary.foldedBatchNorms).toEqual(['bn']);
    expect((await countLinearKernels(folded.bytes)).integerOps).toEqual({ 'com.microsoft:QGemm': 2 });
    // (QGemm has a float output, so ORT fuses the Gemm with BN kept too; the fold removes the float BN op)
    expect(parseOnnx(folded.bytes).nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(0);
    expect(parseOnnx(kept.bytes).nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(1);
    const [a, b] = [(await runOrt(folded.bytes, x, { graphOptimizationLevel: 'disabled' })).logits.data as Float32Array, (await runOrt(kept.bytes, x, { graphOptimizationLevel: 'disabled' })).logits.data as Float32Array];
    const scale = Math.max(...b.map(Math.abs));
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale).toBeLessThan(1e-5);
  });

  it('Gemm with transB = 0 or a broadcast bias: BN left in place', async () => {
    for (const o of [{ transB: 0 }, { bias: 'scalar' as const }]) {
      const bytes = mlp(o);
      expect(exportWith(bytes, await mlpSpecs(bytes), true).summary.foldedBatchNorms).toEqual([]);
    }
  });
});
