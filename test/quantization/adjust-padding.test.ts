/**
 * NNCF's adjust_padding on NPU: a padded 2D Conv with ≤ 4-bit weights whose input quantizer is symmetric,
 * per-tensor, 4-bit and not forced signed is padded with (|scale| + eps) / 2 instead of 0 — on the engine
 * (checked against tf.pad + a valid convolution computed here) and in the FakeQuantize export (Pad node).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel, exportCompressedModelBytes, QuantizationController } from '../../src/api.js';
import { findPaddingAdjustments, isPaddingAdjusted } from '../../src/algorithms/quantization/adjust-padding.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset, ndarray, Random } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import type { AttributeValue } from '../../src/graph/index.js';
import { decodeModelProto } from '../../src/graph/onnx-proto/index.js';
import { inferShapes } from '../../src/graph/shape-inference/index.js';
import { hwConfigFor } from '../../src/hardware/index.js';
import { GraphBuilder } from '../graph/graph-builder.js';

const ints = (value: number[]): AttributeValue => ({ type: 'ints', value });

/** x → conv1 (pads 1) → relu1 → conv2 (pads `pads2`, or `autoPad2`) → output. (NPU allows no 4-bit input for depthwise convs.) */
function model(opts: { pads2?: number[]; autoPad2?: string } = {}) {
  const b = new GraphBuilder();
  const x = b.input('x', ['N', 3, 8, 8]);
  const c1 = b.op('Conv', 'conv1', [x, b.constant('conv1.weight', [4, 3, 3, 3])], { pads: ints([1, 1, 1, 1]) });
  const r1 = b.op('Relu', 'relu1', [c1]);
  const w2 = b.constant('conv2.weight', [5, 4, 3, 3]);
  const pad: Record<string, AttributeValue> = opts.autoPad2 ? { auto_pad: { type: 'string', value: opts.autoPad2 } } : { pads: ints(opts.pads2 ?? [1, 1, 1, 1]) };
  b.output(b.op('Conv', 'conv2', [r1, w2], pad));
  const g = b.build();
  const rng = new Random(11);
  for (const t of g.initializers.values()) {
    const v = t.values as Float32Array;
    for (let i = 0; i < v.length; i++) v[i] = rng.float() - 0.5;
  }
  inferShapes(g);
  return g;
}

const rng = new Random(5);
const data = ndarray('float32', [8, 3, 8, 8], Float32Array.from({ length: 8 * 192 }, () => 2 * rng.float() - 1));
const npu4 = (extra: object = {}) =>
  NNCFConfig.fromObject({
    input_info: { sample_size: [1, 3, 8, 8] },
    target_device: 'NPU',
    compression: { algorithm: 'quantization', weights: { bits: 4 }, activations: { bits: 4 }, initializer: { batchnorm_adaptation: { num_bn_adaptation_samples: 0 } }, ...extra },
  });

describe('adjust_padding (NPU, 4-bit)', () => {
  beforeAll(() => initBackend('wasm'));

  it('pads conv2 with (|scale| + eps)/2 of its 4-bit unsigned input quantizer: engine = tf.pad(value) + valid conv', async () => {
    const g = model();
    const r = await createCompressedModel(g, npu4(), { initDataset: new Dataset(data) });
    const ctrl = r.controller as QuantizationController;
    try {
      const adj = ctrl.paddingAdjustments;
      expect(adj.map((a) => `${a.conv}<-${a.activation.placed.id}`).sort()).toEqual(['conv1<-x|OUTPUT', 'conv2<-relu1|OUTPUT']);
      // the model input has negative values: range init makes x|OUTPUT signed, so conv1 keeps zero padding
      expect(adj.filter(isPaddingAdjusted).map((a) => a.conv)).toEqual(['conv2']);
      const a2 = adj.find((a) => a.conv === 'conv2')!;
      expect(a2.activation.placed.bits).toBe(4);
      const v = Math.abs(a2.activation.quantizer.scale()[0]) / 2;
      expect(v).toBeGreaterThan(0);

      const before = tf.memory().numTensors;
      const x = tf.tensor(data.data, data.shape);
      const out = r.model.run({ x });
      const got = out.conv2.dataSync() as Float32Array;
      tf.dispose([x, ...Object.values(out)]);
      expect(tf.memory().numTensors).toBe(before);

      // reference: conv1 (zero padding) on the quantized input, ReLU, FQ, pad with v, valid conv with FQ weights
      const ref = tf.tidy(() => {
        const xq = ctrl.quantizer('x|OUTPUT')!.apply(tf.tensor(data.data, data.shape));
        // weight quantizers work on the engine's HWIO layout (per-channel axis 3)
        const wq1 = ctrl.quantizer('conv1|WEIGHT')!.apply(tf.transpose(tf.tensor(g.initializers.get('conv1.weight')!.values as Float32Array, [4, 3, 3, 3]), [2, 3, 1, 0]));
        const c1 = tf.conv2d(tf.transpose(xq, [0, 2, 3, 1]) as tf.Tensor4D, wq1 as tf.Tensor4D, 1, 'same');
        const r1 = ctrl.quantizer('relu1|OUTPUT')!.apply(tf.relu(c1));
        const wq2 = ctrl.quantizer('conv2|WEIGHT')!.apply(tf.transpose(tf.tensor(g.initializers.get('conv2.weight')!.values as Float32Array, [5, 4, 3, 3]), [2, 3, 1, 0]));
        const c2 = tf.conv2d(tf.pad(r1 as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]], v), wq2 as tf.Tensor4D, 1, 'valid');
        return tf.transpose(c2, [0, 3, 1, 2]);
      });
      const want = ref.dataSync() as Float32Array;
      ref.dispose();
      expect(want.length).toBe(got.length);
      let max = 0;
      for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
      expect(max).toBeLessThan(2e-5);
      // the gradient reaches the scale through the padding value too
      const s = a2.activation.quantizer.trainableVariables()[0];
      const grad = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(r.model.run({ x: tf.tensor(data.data, data.shape) }).conv2) as tf.Scalar, [s]);
        return grads[s.name].dataSync()[0];
      });
      expect(Number.isFinite(grad) && grad !== 0).toBe(true);
    } finally {
      r.controller.dispose();
    }
  });

  it('FakeQuantize export: a Pad(constant v) before the Conv, whose pads become 0', async () => {
    // FakeQuantize asked for explicitly (the default export is QDQ since issue 11)
    const r = await createCompressedModel(model(), npu4({ export_to_onnx_standard_ops: false }), { initDataset: new Dataset(data) });
    try {
      const ctrl = r.controller as QuantizationController;
      const v = Math.abs(ctrl.quantizer('relu1|OUTPUT')!.scale()[0]) / 2;
      const proto = decodeModelProto(exportCompressedModelBytes(r));
      const nodes = proto.graph!.node!;
      const conv2 = nodes.find((n) => n.name === 'conv2')!;
      const pad = nodes.find((n) => n.output![0] === conv2.input![0])!;
      expect(pad.op_type).toBe('Pad');
      expect(nodes.indexOf(pad)).toBeLessThan(nodes.indexOf(conv2));
      expect(nodes.find((n) => n.output![0] === pad.input![0])!.op_type).toBe('FakeQuantize');
      const inits = new Map(proto.graph!.initializer!.map((t) => [t.name!, t]));
      const value = new Float32Array(new Uint8Array(inits.get(pad.input![2])!.raw_data!).slice().buffer)[0];
      expect(value).toBeCloseTo(v, 6);
      const convPads = conv2.attribute!.find((a) => a.name === 'pads')!.ints!.map(Number);
      expect(convPads).toEqual([0, 0, 0, 0]);
    } finally {
      r.controller.dispose();
    }
  });

  it('not applied: 8-bit (NPU default), TRIAL, a conv without padding or with a zero pad, a forced-signed input', async () => {
    const count = async (g: ReturnType<typeof model>, config: NNCFConfig) => {
      const r = await createCompressedModel(g, config, { initDataset: new Dataset(data) });
      const n = (r.controller as QuantizationController).paddingAdjustments.filter(isPaddingAdjusted).map((a) => a.conv);
      r.controller.dispose();
      return n;
    };
    const npu8 = NNCFConfig.fromObject({ input_info: { sample_size: [1, 3, 8, 8] }, target_device: 'NPU', compression: { algorithm: 'quantization', initializer: { batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } } });
    expect(await count(model(), npu8)).toEqual([]);
    const trial = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 8, 8] },
      target_device: 'TRIAL',
      compression: { algorithm: 'quantization', weights: { bits: 4 }, activations: { bits: 4 }, initializer: { batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
    });
    expect(await count(model(), trial)).toEqual([]);
    expect(await count(model({ pads2: [0, 0, 0, 0] }), npu4())).toEqual([]);
    expect(await count(model({ pads2: [1, 0, 1, 0] }), npu4())).toEqual([]); // a zero pad: NNCF's set().pop() quirk
    expect(await count(model(), npu4({ activations: { bits: 4, signed: true } }))).toEqual([]);
    expect(await count(model(), npu4())).toEqual(['conv2']);
    // the HW config is what decides: no HW config, nothing found
    expect(findPaddingAdjustments(model(), [], hwConfigFor('TRIAL'))).toEqual([]);
  });

  it('a candidate conv with auto_pad SAME: clear error naming the conv (only explicit pads are adjusted)', async () => {
    await expect(createCompressedModel(model({ autoPad2: 'SAME_UPPER' }), npu4(), { initDataset: new Dataset(data) })).rejects.toThrow(
      /adjust_padding: Conv "conv2" uses auto_pad SAME_UPPER; nncf-ts adjusts explicit pads only/,
    );
  });
});
