/**
 * The physically smaller export (pruned filters and the matching consumer input channels dropped)
 * against the masked model, both on ONNX Runtime, and against the masked engine model: ResNet-style
 * (residual adds), MobileNetV2-style (depthwise) and Concat models. `keepShape` exports NNCF's masked zeros.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { exportCompressedModelBytes, keepPrunedShapes } from '../../src/api.js';
import type { FilterPruningController } from '../../src/algorithms/pruning/index.js';
import { createCompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { OrtSession } from '../../src/runtime/index.js';
import { concatNet, mobilenetV2Style, randomInputs, resnetStyle, type TestModel } from '../helpers/models.js';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

async function check(model: TestModel, params: Record<string, unknown>) {
  const shape = [2, ...(model.inputs[0].shape!.slice(1) as number[])];
  const config = NNCFConfig.fromObject({ input_info: { sample_size: shape }, compression: { algorithm: 'filter_pruning', params: { prune_first_conv: true, prune_downsample_convs: true, schedule: 'baseline', ...params } } });
  const r = await createCompressedModel(model.graph, config);
  const c = r.controller as FilterPruningController;
  c.scheduler.epochStep();
  expect(c.groupLevels().some((l) => l > 0)).toBe(true);
  const physical = exportCompressedModelBytes(r);
  c.keepShape = true;
  const masked = exportCompressedModelBytes(r);
  const x = randomInputs(model, 11, 2)[model.inputs[0].name];
  const feeds = { [model.inputs[0].name]: { dtype: 'float32' as const, shape: x.dims, data: x.data } };
  const out = model.outputs[0];
  const small = await OrtSession.create(physical);
  const full = await OrtSession.create(masked);
  const a = (await small.run(feeds))[out].data as Float32Array;
  const b = (await full.run(feeds))[out].data as Float32Array;
  const before = tf.memory().numTensors;
  const engineOut = tf.tidy(() => r.model.run({ [model.inputs[0].name]: tf.tensor(x.data, x.dims) })[out].dataSync() as Float32Array);
  expect(tf.memory().numTensors).toBe(before);
  await small.release();
  await full.release();
  const g = parseOnnx(physical);
  const params0 = [...model.graph.initializers.values()].reduce((s, t) => s + t.values.length, 0);
  const params1 = [...g.initializers.values()].reduce((s, t) => s + t.values.length, 0);
  return { ortDiff: maxDiff(a, b), engineDiff: maxDiff(a, engineOut), ratio: params1 / params0, bytes: [physical.length, masked.length], c };
}

describe('physical export vs the masked model', () => {
  it.each([
    ['resnet-style', () => resnetStyle(), { pruning_target: 0.5 }],
    ['mobilenet-v2-style (depthwise)', () => mobilenetV2Style(), { pruning_target: 0.5 }],
    ['concat (global ranking: 8-filter groups)', () => concatNet(), { pruning_target: 0.5, all_weights: true }],
  ] as const)('%s: smaller ONNX agrees within 1e-4 on ORT and with the engine', async (_name, make, params) => {
    const r = await check(make(), params);
    console.log(`${_name}: ORT max diff ${r.ortDiff.toExponential(2)}, engine ${r.engineDiff.toExponential(2)}, params ratio ${r.ratio.toFixed(3)}, bytes ${r.bytes.join(' vs ')}`);
    expect(r.ortDiff).toBeLessThan(1e-4);
    expect(r.engineDiff).toBeLessThan(1e-4);
    expect(r.ratio).toBeLessThan(0.95);
    expect(r.bytes[0]).toBeLessThan(r.bytes[1]);
  }, 120_000);
});

describe('filter_pruning next to other algorithms', () => {
  it('with quantization, --keep-shape exports masked zeros under the quantizers (the smaller export: prune-quantize.test.ts)', async () => {
    const m = resnetStyle();
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 32, 32] },
      compression: [{ algorithm: 'filter_pruning', pruning_init: 0.5 }, { algorithm: 'quantization', initializer: { range: { num_init_samples: 0 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } }],
    });
    const r = await createCompressedModel(m.graph, config);
    keepPrunedShapes(r.controller);
    const bytes = exportCompressedModelBytes(r);
    const s = await OrtSession.create(bytes);
    const x = randomInputs(m, 3, 1)[m.inputs[0].name];
    const out = await s.run({ [m.inputs[0].name]: { dtype: 'float32', shape: x.dims, data: x.data } });
    expect(out[m.outputs[0]].shape).toEqual([1, 10]);
    await s.release();
  }, 120_000);

  it('with sparsity masks on the same weights, the smaller export is refused naming the algorithm and --keep-shape', async () => {
    const m = resnetStyle();
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 32, 32] },
      compression: [{ algorithm: 'filter_pruning', pruning_init: 0.5 }, { algorithm: 'magnitude_sparsity', sparsity_init: 0.3 }],
    });
    const r = await createCompressedModel(m.graph, config);
    expect(() => exportCompressedModelBytes(r)).toThrow(/smaller export is not built next to magnitude_sparsity.*--keep-shape/);
    r.controller.dispose();
  }, 120_000);
});
