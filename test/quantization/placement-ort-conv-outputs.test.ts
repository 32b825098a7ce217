/**
 * Placement for a QDQ export on onnxruntime (CPU/ANY): quantizers where ORT needs them to run each Conv
 * as QLinearConv — on a Conv's output before HardSwish / SiLU inside NNCF's fused pattern, on a SiLU's
 * sigmoid, and on a Conv input that NNCF quantizes only upstream of a Concat. Counted on ORT's graph.
 */
import { describe, expect, it } from 'vitest';
import { placeQuantizers } from '../../src/algorithms/quantization/placement/index.js';
import { createCompressedModel, exportCompressedModelBytes } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { countLinearKernels, OrtSession } from '../../src/runtime/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { seededFloats } from '../onnx/ort-utils.js';

function convBn(b: OnnxBuilder, x: string, name: string, cin: number, cout: number): string {
  const y = b.node('Conv', [x, b.randomWeight(`${name}.w`, [cout, cin, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: `${name}/Conv` });
  return b.node('BatchNormalization', [y, b.uniform(`${name}.g`, [cout], 0.5, 1.5), b.uniform(`${name}.b`, [cout], -0.1, 0.1), b.uniform(`${name}.m`, [cout], -0.1, 0.1), b.uniform(`${name}.v`, [cout], 0.5, 1.5)], { epsilon: 1e-5 }, { name: `${name}/BatchNormalization` });
}

/** Conv-BN-HardSwish → Conv-BN-SiLU → two Conv-Relu branches → Concat → Conv-Relu → GAP → Gemm. */
function hswishSiluConcatNet() {
  const b = new OnnxBuilder({ opset: 14, seed: 3, name: 'ort_patterns' });
  const x = b.input('x', ['N', 3, 16, 16]);
  const a = b.node('HardSwish', [convBn(b, x, 'a', 3, 8)], {}, { name: 'a/HardSwish' });
  const bn = convBn(b, a, 'b', 8, 8);
  const s = b.node('Mul', [bn, b.node('Sigmoid', [bn], {}, { name: 'b/Sigmoid' })], {}, { name: 'b/Mul' });
  const l = b.node('Relu', [b.node('Conv', [s, b.randomWeight('l.w', [8, 8, 1, 1])], { kernel_shape: [1, 1] }, { name: 'l/Conv' })], {}, { name: 'l/Relu' });
  const r = b.node('Relu', [b.node('Conv', [s, b.randomWeight('r.w', [8, 8, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'r/Conv' })], {}, { name: 'r/Relu' });
  const cat = b.node('Concat', [l, r], { axis: 1 }, { name: 'cat/Concat' });
  const d = b.node('Relu', [b.node('Conv', [cat, b.randomWeight('d.w', [8, 16, 1, 1])], { kernel_shape: [1, 1] }, { name: 'd/Conv' })], {}, { name: 'd/Relu' });
  const flat = b.node('Flatten', [b.node('GlobalAveragePool', [d], {}, { name: 'gap/GlobalAveragePool' })], { axis: 1 }, { name: 'gap/Flatten' });
  b.output(b.node('Gemm', [flat, b.randomWeight('fc.w', [4, 8]), b.uniform('fc.b', [4], -0.1, 0.1)], { transB: 1 }, { name: 'fc/Gemm', outputs: ['y'] }), ['N', 4]);
  return { graph: b.toGraph(), bytes: b.toBytes() };
}

const ids = (r: ReturnType<typeof placeQuantizers>) => r.quantizers.map((q) => q.id);

describe('placement for ORT: Conv outputs and inputs ORT needs quantized', () => {
  const model = hswishSiluConcatNet();

  it('adds exactly the quantizers ORT needs on CPU/ANY with a QDQ export, and nothing otherwise', () => {
    const nncf = placeQuantizers(model.graph);
    for (const targetDevice of ['ANY', 'CPU']) {
      const ort = placeQuantizers(model.graph, { targetDevice, qdqForOrt: true });
      expect(ids(ort).slice(0, nncf.quantizers.length)).toEqual(ids(nncf));
      expect(ids(ort).slice(nncf.quantizers.length)).toEqual(['a/BatchNormalization|OUTPUT', 'b/BatchNormalization|OUTPUT', 'b/Sigmoid|OUTPUT', 'cat/Concat|OUTPUT']);
      const added = ort.quantizers.slice(nncf.quantizers.length);
      expect(added.map((q) => q.points)).toEqual([
        [{ kind: 'output', tensor: 'a/BatchNormalization_out', producer: 'a/BatchNormalization' }],
        [{ kind: 'output', tensor: 'b/BatchNormalization_out', producer: 'b/BatchNormalization' }],
        [{ kind: 'output', tensor: 'b/Sigmoid_out', producer: 'b/Sigmoid' }],
        [{ kind: 'output', tensor: 'cat/Concat_out', producer: 'cat/Concat' }],
      ]);
      expect(added.every((q) => q.bits === 8 && !q.perChannel && q.kind === 'activation')).toBe(true);
    }
    // other devices and the FakeQuantize export keep NNCF's placement
    expect(ids(placeQuantizers(model.graph, { targetDevice: 'NPU', qdqForOrt: true }))).toEqual(ids(placeQuantizers(model.graph, { targetDevice: 'NPU' })));
    expect(ids(placeQuantizers(model.graph, { qdqForOrt: false }))).toEqual(ids(nncf));
    // an ignored conv gets nothing added
    const ignored = placeQuantizers(model.graph, { qdqForOrt: true, ignoredScopes: ['a/Conv'] });
    expect(ids(ignored)).not.toContain('a/BatchNormalization|OUTPUT');
  });

  it('ORT runs every Conv and the Gemm as integer kernels; the INT8 output stays close to FP32', async () => {
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 16, 16] },
      compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true, initializer: { range: { num_init_samples: 16 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
    });
    const data = new Dataset({ dtype: 'float32', shape: [16, 3, 16, 16], data: seededFloats(16 * 3 * 256, 4) } as never);
    const r = await createCompressedModel(model.graph, config, { initDataset: data });
    const int8 = exportCompressedModelBytes(r);
    r.controller.dispose();
    r.model.engine.dispose();
    expect(await countLinearKernels(model.bytes)).toMatchObject({ integer: 0, float: 6 });
    expect(await countLinearKernels(int8)).toMatchObject({ integer: 6, float: 0 });
    const out = async (m: Uint8Array) => {
      const s = await OrtSession.create(m);
      try { return (await s.run({ dtype: 'float32', shape: [1, 3, 16, 16], data: seededFloats(3 * 256, 9) } as never)).y.data as Float32Array; } finally { await s.release(); }
    };
    const [f, q] = [await out(model.bytes), await out(int8)];
    const err = Math.max(...q.map((v, i) => Math.abs(v - f[i])));
    const scale = Math.max(...f.map(Math.abs));
    expect(err / scale).toBeLessThan(0.1);
  }, 300_000);
});
