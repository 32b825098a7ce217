/**
 * QDQ export for onnxruntime: on CPU/ANY, activations are per-tensor unless the config names
 * `activations.per_channel` — NNCF's hardware config would give depthwise inputs per-channel
 * quantizers, which ORT's QLinearConv cannot take (it leaves those convolutions float).
 */
import { describe, expect, it } from 'vitest';
import { activationsPerTensorForOrt, placeQuantizers } from '../../src/algorithms/quantization/placement/index.js';
import { createCompressedModel, exportCompressedModelBytes, findQuantizationController } from '../../src/api.js';
import { PER_TENSOR_FOR_ORT_KEY } from '../../src/algorithms/quantization/statistics.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { countLinearKernels } from '../../src/runtime/index.js';
import { mobilenetV2Style } from '../helpers/models.js';
import { seededFloats } from '../onnx/ort-utils.js';
import { byId, cfg } from './placement-helpers.js';
import { mobilenetV2 } from './placement-models.js';

const perChannelActs = (r: ReturnType<typeof placeQuantizers>) => r.quantizers.filter((q) => q.kind === 'activation' && q.perChannel).map((q) => q.id);

describe('placement for a QDQ export on ORT', () => {
  it('ANY and CPU: depthwise inputs per-tensor; the same quantizers otherwise', () => {
    const nncf = placeQuantizers(mobilenetV2());
    expect(perChannelActs(nncf)).toEqual(['b1_expand_clip|OUTPUT', 'b2_expand_clip|OUTPUT']);
    for (const targetDevice of ['ANY', 'CPU']) {
      const ort = placeQuantizers(mobilenetV2(), { targetDevice, qdqForOrt: true });
      expect(perChannelActs(ort)).toEqual([]);
      expect(cfg(byId(ort, 'b1_expand_clip|OUTPUT'))).toBe('8/s/pt/?/-/-');
      expect(byId(ort, 'b1_expand_clip|OUTPUT').channelAxis).toBeUndefined();
      expect(ort.quantizers.map((q) => q.id)).toEqual(nncf.quantizers.map((q) => q.id));
    }
  });

  it('an explicit activations.per_channel, another device, or a FakeQuantize export keep NNCF placement', () => {
    expect(activationsPerTensorForOrt({ qdqForOrt: true })).toBe(true);
    expect(activationsPerTensorForOrt({ qdqForOrt: true, targetDevice: 'CPU' })).toBe(true);
    expect(activationsPerTensorForOrt({ qdqForOrt: true, activations: { perChannel: false } })).toBe(false);
    expect(activationsPerTensorForOrt({ qdqForOrt: true, targetDevice: 'NPU' })).toBe(false);
    expect(activationsPerTensorForOrt({ qdqForOrt: true, targetDevice: 'TRIAL' })).toBe(false);
    expect(activationsPerTensorForOrt({ qdqForOrt: false })).toBe(false);
    expect(activationsPerTensorForOrt({})).toBe(false);
    // a scope override (matched on the consuming depthwise conv) still wins over the ORT default
    const r = placeQuantizers(mobilenetV2(), { qdqForOrt: true, scopeOverrides: { activations: { b1_dw: { perChannel: true } } } });
    expect(perChannelActs(r)).toEqual(['b1_expand_clip|OUTPUT']);
  });
});

describe('createCompressedModel with export_to_onnx_standard_ops: true (MobileNetV2-style test model)', () => {
  const model = mobilenetV2Style();
  const data = () => new Dataset({ dtype: 'float32', shape: [8, 3, 32, 32], data: seededFloats(8 * 3 * 32 * 32, 11) } as never);
  const run = async (extra: Record<string, unknown>) => {
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 32, 32] },
      compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 8 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } }, ...extra },
    });
    const r = await createCompressedModel(model.graph, config, { initDataset: data() });
    const stats = r.controller.statistics();
    const perChannel = findQuantizationController(r.controller)!.modules.filter((m) => m.placed.kind === 'activation' && m.placed.perChannel).length;
    const bytes = extra.export_to_onnx_standard_ops ? exportCompressedModelBytes(r) : null;
    r.controller.dispose();
    r.model.engine.dispose();
    return { values: stats.values, text: stats.toString(), bytes, perChannel };
  };

  it('says so in the statistics, and ORT runs every Conv and the Gemm as integer kernels', async () => {
    const r = await run({ export_to_onnx_standard_ops: true });
    expect(r.values[PER_TENSOR_FOR_ORT_KEY]).toBe(true);
    expect(r.text).toContain(PER_TENSOR_FOR_ORT_KEY);
    expect(r.perChannel).toBe(0);
    const k = await countLinearKernels(r.bytes!);
    expect(k).toMatchObject({ integer: 12, float: 0 });
  }, 120_000);

  it('an explicit activations.per_channel: false gives the same integer model, without the note', async () => {
    const r = await run({ export_to_onnx_standard_ops: true, activations: { per_channel: false } });
    expect(r.values[PER_TENSOR_FOR_ORT_KEY]).toBeUndefined();
    expect((await countLinearKernels(r.bytes!)).integer).toBe(12);
  }, 120_000);

  it('a config without the key exports QDQ (nncf-ts default since issue 11): per-tensor activations, with the note', async () => {
    const r = await run({});
    expect(r.values[PER_TENSOR_FOR_ORT_KEY]).toBe(true);
    expect(r.perChannel).toBe(0);
  }, 120_000);

  it('an explicit FakeQuantize export (NNCF default false): NNCF placement, no note', async () => {
    const r = await run({ export_to_onnx_standard_ops: false });
    expect(r.values[PER_TENSOR_FOR_ORT_KEY]).toBeUndefined();
    expect(r.perChannel).toBe(3); // the three depthwise convolutions' inputs
  }, 120_000);
});
