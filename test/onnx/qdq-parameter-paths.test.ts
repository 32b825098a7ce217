/**
 * QDQ export of models whose BatchNormalization parameters reach BN through Identity nodes (what
 * PyTorch's `training=PRESERVE` export writes for a freshly initialised model): the export resolves
 * the aliases, folds every BN into its quantized Conv, and ORT then runs every Conv as QLinearConv —
 * the same integer model as when BN reads its parameters directly.
 */
import { describe, expect, it } from 'vitest';
import { exportOnnx, writeQdqQuantizers, writeQuantizers, type QdqExportSummary } from '../../src/exporters/onnx/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { countLinearKernels } from '../../src/runtime/index.js';
import { mobilenetV2Style, resnetStyle, type TestModel } from '../helpers/models.js';
import { runOrt } from './ort-utils.js';
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
      const summary = writeQuantizers(aliased, specs, { standardOps: true }) as QdqExportSummary & { constantAliases: number };
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
