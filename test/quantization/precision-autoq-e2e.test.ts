/** AutoQ precision init end to end (`initializer.precision.type: "autoq"`) on the trained digits CNN. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { OWNER, quantizationInitServices } from '../../src/algorithms/quantization/index.js';
import { autoqCandidateBuilder, quantizerParams } from '../../src/algorithms/quantization/precision-autoq.js';
import { createCompressedModel, quantizationReport, QuantizationController, type CompressionState } from '../../src/api.js';
import { CompressedModel } from '../../src/compression/index.js';
import { AutoQPrecisionInitArgs, BNAdaptationInitArgs, NNCFConfig, QuantizationRangeInitArgs } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { digitsData, labelsOf, loadDigitsCnn } from './digits-cnn.js';

const noBn = { batchnorm_adaptation: { num_bn_adaptation_samples: 0 } };
// 5 episodes, the first 2 random: a few seconds on the digits CNN
const autoq = (extra: object = {}) => ({ type: 'autoq', iter_number: 5, warmup_iter_number: 2, compression_ratio: 0.15, ...extra });

function config(precision: object, device = 'NPU'): NNCFConfig {
  return NNCFConfig.fromObject({
    input_info: { sample_size: [1, 1, 8, 8] },
    target_device: device,
    compression: { algorithm: 'quantization', initializer: { ...noBn, range: { num_init_samples: 32 }, precision } },
  });
}

/** Top-1 accuracy of the model's first output over the loader (the user's evalFn). */
let evalCalls = 0;
let evalSamples = 0;
async function accuracy(model: unknown, loader: unknown): Promise<number> {
  evalCalls++;
  const m = model as CompressedModel;
  const { dataset, batchSize } = loader as { dataset: Dataset; batchSize: number };
  const labels = labelsOf(dataset);
  let correct = 0;
  let k = 0;
  for (const b of dataset.batches(batchSize)) {
    const x = tf.tensor(Float32Array.from(b.x.data as ArrayLike<number>), [b.x.shape[0], 1, 8, 8]);
    const out = m.run({ input: x });
    const logits = Object.values(out)[0];
    const pred = tf.tidy(() => tf.argMax(logits, 1).dataSync());
    for (const t of Object.values(out)) t.dispose();
    x.dispose();
    for (let i = 0; i < pred.length; i++, k++) if (pred[i] === labels[k]) correct++;
  }
  evalSamples = k;
  return correct / k;
}

let test: Dataset;
async function build(c: NNCFConfig, args: boolean, state?: CompressionState) {
  if (args) c.registerExtraStructs([new AutoQPrecisionInitArgs({ dataset: test, batchSize: 64 }, accuracy)]);
  const r = await createCompressedModel(await loadDigitsCnn(), c, { initDataset: test, compressionState: state });
  return { ...r, ctrl: r.controller as QuantizationController };
}
const bitsById = (ctrl: QuantizationController) => Object.fromEntries(ctrl.modules.map((m) => [m.placed.id, m.placed.bits]));

beforeAll(async () => {
  await initBackend('wasm');
  ({ test } = await digitsData());
}, 120_000);

describe('AutoQ precision init (digits CNN)', () => {
  it('NPU, seeded: exact bits, size budget met, autoq summary and report; resume restores the bits without AutoQPrecisionInitArgs', async () => {
    evalCalls = 0;
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    const r = await build(config(autoq({ eval_subset_ratio: 0.5 })), true);
    const elapsed = performance.now() - t0;
    // the FP32 score + one evaluation per episode, each on ⌊0.5 · batches⌋ batches of 64
    expect(evalCalls).toBe(6);
    expect(evalSamples).toBe(Math.floor(0.5 * Math.ceil(test.length / 64)) * 64);
    const bits = bitsById(r.ctrl);
    console.log(`AutoQ on the digits CNN: ${elapsed.toFixed(0)} ms for the build, ${r.ctrl.autoq!.mean_episode_ms.toFixed(1)} ms per episode`);
    // NPU: weights 8/4/2, activations 8/4; fc2's weight keeps 2 bits next to the 4-bit relu4 output (group alignment)
    expect(bits).toEqual({
      'conv1/Conv|WEIGHT': 4,
      'conv2/Conv|WEIGHT': 4,
      'conv3/Conv|WEIGHT': 8,
      'fc1/Gemm|WEIGHT': 4,
      'fc2/Gemm|WEIGHT': 2,
      'input|OUTPUT': 4,
      'relu1/Relu|OUTPUT': 4,
      'relu2/Relu|OUTPUT': 8,
      'relu3/Relu|OUTPUT': 4,
      'relu4/Relu|OUTPUT': 4,
    });
    // size budget: Σ params·bits of the weight quantizers ≤ 0.15 · FP32 size
    const weights = r.ctrl.modules.filter((m) => m.placed.kind === 'weight').map((m) => m.placed);
    const params = weights.map((q) => quantizerParams(r.model.graph, q));
    const size = weights.reduce((s, q, i) => s + params[i] * q.bits, 0);
    const fp = params.reduce((s, n) => s + 32 * n, 0);
    expect(size / fp).toBeLessThanOrEqual(0.15);
    const a = r.ctrl.autoq!;
    expect(a.bits).toEqual(bits);
    expect(a.episodes).toBe(5);
    expect(a.warmup_episodes).toBe(2);
    expect(a.rewards).toHaveLength(5);
    expect(a.best_reward).toBe(Math.max(...a.rewards));
    expect(a.model_size_ratio).toBeCloseTo(size / fp, 10);
    expect(a.target_size_ratio).toBe(0.15);
    expect(a.pretrained_score).toBeGreaterThan(0.9);
    expect(quantizationReport(r.ctrl).autoq).toEqual(a);
    const state = JSON.parse(JSON.stringify(r.getCompressionState())) as CompressionState;
    r.ctrl.dispose();
    r.model.engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // resume: no AutoQPrecisionInitArgs, no search, same bits
    evalCalls = 0;
    const again = await build(config(autoq()), false, state);
    expect(evalCalls).toBe(0);
    expect(bitsById(again.ctrl)).toEqual(bits);
    expect(again.ctrl.autoq).toBeNull();
    again.ctrl.dispose();
    again.model.engine.dispose();
  });

  it('the same seed gives the same bits (TRIAL, bits [4, 8])', async () => {
    const run = async () => {
      const r = await build(config(autoq({ bits: [4, 8], compression_ratio: 0.2, iter_number: 4 }), 'TRIAL'), true);
      const out = { bits: bitsById(r.ctrl), rewards: r.ctrl.autoq!.rewards };
      r.ctrl.dispose();
      r.model.engine.dispose();
      return out;
    };
    const first = await run();
    expect(Object.values(first.bits).every((b) => b === 4 || b === 8)).toBe(true);
    expect(first.rewards).toHaveLength(4);
    expect(await run()).toEqual(first);
  });

  it('a candidate: quantizers at the given widths go in, range-initialised and BN-adapted, and come out with BN statistics restored', async () => {
    const c = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 1, 8, 8] },
      target_device: 'NPU',
      compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 0 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
    });
    const base = await createCompressedModel(await loadDigitsCnn(), c);
    const setup = (base.controller as QuantizationController).modules.map((m) => structuredClone(m.placed));
    base.controller.dispose?.();
    base.model.engine.dispose();
    const before = tf.memory().numTensors;
    const graph = await loadDigitsCnn();
    const model = new CompressedModel(graph, new Engine(graph));
    c.registerExtraStructs([new BNAdaptationInitArgs({ dataset: test, batchSize: 32 }), new QuantizationRangeInitArgs({ dataset: test, batchSize: 32 })]);
    const cand = autoqCandidateBuilder(model, c, setup, { hwConstrained: true, weightRangeFlags: () => ({ halfRange: false, narrowRange: false }) }, quantizationInitServices(), {
      rangeSection: { num_init_samples: 32 },
      bnSamples: 64,
    });
    const mean = () => {
      const t = model.engine.getWeight('bn1.mean');
      const v = Array.from(t.dataSync());
      t.dispose();
      return v;
    };
    const mean0 = mean();
    const restore = await cand.applyBits([2, 4, 8, 4, 2, 4, 4, 4, 8, 8]);
    expect(model.commands(OWNER).length).toBe(10);
    expect(mean()).not.toEqual(mean0);
    restore();
    expect(model.commands(OWNER).length).toBe(0);
    expect(mean()).toEqual(mean0);
    cand.dispose();
    model.engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('errors: no AutoQPrecisionInitArgs, target device, iter_number 0 (NNCF default), evalFn not returning a number', async () => {
    await expect(build(config(autoq()), false)).rejects.toThrow(/needs an evaluation function and data: register AutoQPrecisionInitArgs\(dataLoader, evalFn\)/);
    expect(() => config(autoq(), 'CPU')).toThrow(/AutoQ precision initialization requires target_device NPU or TRIAL/);
    await expect(build(config({ type: 'autoq' }), true)).rejects.toThrow(/precision\.iter_number must be a positive integer for AutoQ/);
    const c = config(autoq());
    c.registerExtraStructs([new AutoQPrecisionInitArgs({ dataset: test, batchSize: 64 }, () => Number.NaN)]);
    await expect(createCompressedModel(await loadDigitsCnn(), c, { initDataset: test })).rejects.toThrow(/evalFn must return a finite number; it returned NaN for the FP32 model/);
  });
});
