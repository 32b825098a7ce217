/** HAWQ precision init end to end (`initializer.precision.type: "hawq"`) on the trained digits CNN. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerMacs } from '../../src/algorithms/quantization/precision-hawq.js';
import { createCompressedModel, QuantizationController, quantizationReport, type CompressionState } from '../../src/api.js';
import { NNCFConfig, QuantizationPrecisionInitArgs } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import type { Graph } from '../../src/graph/index.js';
import { defaultHessianCriterion } from '../../src/initialization/index.js';
import { digitsData, loadDigitsCnn } from './digits-cnn.js';

const noBn = { batchnorm_adaptation: { num_bn_adaptation_samples: 0 } };
// 1 batch of 32 labelled digits, 8 Hutchinson iterations at most: fast, and seeded (Rademacher seed 0)
const hawq = (extra: object = {}) => ({ type: 'hawq', num_data_points: 32, iter_number: 8, ...extra });

function config(precision: object | undefined, device = 'NPU'): NNCFConfig {
  const range = { num_init_samples: precision ? 32 : 0 };
  return NNCFConfig.fromObject({
    input_info: { sample_size: [1, 1, 8, 8] },
    target_device: device,
    compression: { algorithm: 'quantization', initializer: { ...noBn, range, ...(precision ? { precision } : {}) } },
  });
}

/** NNCF's criterion_fn(outputs, targets, criterion) → criterion(outputs, targets); counts its calls. */
let criterionCalls = 0;
const criterionFn = (outputs: unknown, targets: unknown, criterion: typeof defaultHessianCriterion) => {
  criterionCalls++;
  return criterion(outputs, targets);
};

async function build(c: NNCFConfig, data?: Dataset, state?: CompressionState) {
  if (data) c.registerExtraStructs([new QuantizationPrecisionInitArgs(criterionFn, defaultHessianCriterion, { dataset: data, batchSize: 32 })]);
  const r = await createCompressedModel(await loadDigitsCnn(), c, { initDataset: data, compressionState: state });
  return { ...r, ctrl: r.controller as QuantizationController };
}

const bitsById = (ctrl: QuantizationController) => Object.fromEntries(ctrl.modules.map((m) => [m.placed.id, m.placed.bits]));

/** Σ MACs·8 / Σ MACs·max(w, widest activation quantizer feeding the layer), from the built quantizers. */
function achievedRatio(graph: Graph, ctrl: QuantizationController): number {
  const placed = ctrl.modules.map((m) => m.placed);
  let full = 0;
  let mixed = 0;
  for (const w of placed.filter((q) => q.kind === 'weight')) {
    const f = layerMacs(graph, w);
    const a = placed.filter((q) => q.kind === 'activation' && q.quantizedNodes.some((n) => w.quantizedNodes.includes(n))).map((q) => q.bits);
    full += 8 * f;
    mixed += f * Math.max(w.bits, ...a);
  }
  return full / mixed;
}

let train: Dataset;
beforeAll(async () => {
  await initBackend('wasm');
  ({ train } = await digitsData());
}, 120_000);

describe('HAWQ precision init (digits CNN)', () => {
  it('NPU, seeded: exact per-layer bits, ratio ≥ compression_ratio, bit table in the statistics; resume restores the bits without data', async () => {
    criterionCalls = 0;
    const r = await build(config(hawq({ compression_ratio: 1.5 })), train);
    // 1 batch, 2 gradients (w ± εv) per Hutchinson iteration, at most 8 iterations
    expect(criterionCalls % 2).toBe(0);
    expect(criterionCalls).toBeGreaterThanOrEqual(4);
    expect(criterionCalls).toBeLessThanOrEqual(16);
    const bits = bitsById(r.ctrl);
    expect(bits).toEqual({
      'conv1/Conv|WEIGHT': 8,
      'conv2/Conv|WEIGHT': 8,
      'conv3/Conv|WEIGHT': 4,
      'fc1/Gemm|WEIGHT': 4,
      'fc2/Gemm|WEIGHT': 8,
      'input|OUTPUT': 8,
      'relu1/Relu|OUTPUT': 8,
      'relu4/Relu|OUTPUT': 8,
      'relu3/Relu|OUTPUT': 4,
      'relu2/Relu|OUTPUT': 4,
    });
    expect(achievedRatio(r.model.graph, r.ctrl)).toBeGreaterThanOrEqual(1.5);
    // 4-bit weights take NPU's first 4-bit config and its levels
    expect(r.ctrl.modules.find((m) => m.placed.id === 'fc1/Gemm|WEIGHT')!.quantizer.fakeQuantizeParams()).toMatchObject({ levels: 16 });
    const table = r.ctrl.statistics().tables.find((t) => t.title.startsWith('Statistics of the bitwidth'))!.rows;
    expect(table).toEqual([
      [8, '3 / 5 (60.00 %)', '3 / 5 (60.00 %)', '6 / 10 (60.00 %)'],
      [4, '2 / 5 (40.00 %)', '2 / 5 (40.00 %)', '4 / 10 (40.00 %)'],
    ]);
    // the report shows the working: a trace per weight quantizer, the sequences, the chosen one = the built bits
    const h = quantizationReport(r.ctrl).hawq!;
    const weightIds = Object.keys(bits).filter((id) => id.endsWith('|WEIGHT'));
    expect(Object.keys(h.traces).sort()).toEqual(weightIds.sort());
    expect(h.sequences.length).toBe(h.sequence_count);
    expect(h.sequences[h.chosen].bits).toEqual(h.weight_quantizers.map((id) => bits[id]));
    expect(h.sequences[h.chosen].ratio).toBe(h.compression_ratio);
    expect(h.requested_ratio).toBe(1.5);
    // every sequence reaching the ratio has a metric ≥ the chosen one's
    for (const q of h.sequences) if (q.ratio >= 1.5) expect(q.metric).toBeGreaterThanOrEqual(h.metric);
    const state = JSON.parse(JSON.stringify(r.getCompressionState())) as CompressionState;
    r.ctrl.dispose();
    r.model.engine.dispose();
    // resume: no QuantizationPrecisionInitArgs needed, no traces computed, same bits (even with another ratio)
    const again = await build(config(hawq({ compression_ratio: 1.1 })), undefined, state);
    expect(bitsById(again.ctrl)).toEqual(bits);
    again.ctrl.dispose();
    again.model.engine.dispose();
  });

  it('a higher ratio quantizes more; the same seed gives the same bits; HAWQ releases its tensors', async () => {
    // what a build without precision init leaves behind (0 once every Quantizer releases its initial-value tensors)
    let before = tf.memory().numTensors;
    const plain = await build(config(undefined));
    plain.ctrl.dispose();
    plain.model.engine.dispose();
    const baseline = tf.memory().numTensors - before;
    before = tf.memory().numTensors;
    const r = await build(config(hawq({ compression_ratio: 1.9, bitwidth_assignment_mode: 'strict' })), train);
    expect(achievedRatio(r.model.graph, r.ctrl)).toBeGreaterThanOrEqual(1.9);
    const bits = bitsById(r.ctrl);
    expect(Object.values(bits).filter((b) => b === 4).length).toBeGreaterThan(4);
    r.ctrl.dispose();
    r.model.engine.dispose();
    expect(tf.memory().numTensors - before).toBe(baseline);
    const s = await build(config(hawq({ compression_ratio: 1.9, bitwidth_assignment_mode: 'strict' })), train);
    expect(bitsById(s.ctrl)).toEqual(bits);
    s.ctrl.dispose();
    s.model.engine.dispose();
  });

  it('errors: no QuantizationPrecisionInitArgs, unlabelled data, unreachable ratio (CPU: 8 bits only), traces_per_layer_path, autoq', async () => {
    await expect(build(config(hawq()))).rejects.toThrow(/needs labelled data and a criterion: register QuantizationPrecisionInitArgs/);
    await expect(build(config(hawq()), new Dataset(train.take(32).x))).rejects.toThrow(/the QuantizationPrecisionInitArgs data loader has no labels/);
    await expect(build(config(hawq(), 'CPU'), train)).rejects.toThrow(
      /quantization\.initializer\.precision\.compression_ratio 1\.5 cannot be reached on CPU: with bit widths \[8\] the achievable range is \[1\.000, 1\.000\]/,
    );
    await expect(build(config(hawq({ traces_per_layer_path: 'traces.pt' })), train)).rejects.toThrow(/traces_per_layer_path is not supported by nncf-ts/);
    // AutoQ is a different search with its own init args: QuantizationPrecisionInitArgs do not serve it
    await expect(build(config({ type: 'autoq', iter_number: 2 }), train)).rejects.toThrow(/register AutoQPrecisionInitArgs\(dataLoader, evalFn\)/);
  });
});
