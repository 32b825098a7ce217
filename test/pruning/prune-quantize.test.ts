/**
 * filter_pruning + quantization in one config (issue 14 item 6): trained with masks before quantizers,
 * exported as the physically smaller model quantized (QDQ). The per-channel weight scales follow the
 * pruned filters (compression/export-slices). Checked on ONNX Runtime against the same model exported
 * with masked zeros in the full shapes (`keepShape`: same quantizers, same ranges) and against the
 * simulated model on the engine.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { exportCompressedModelBytes } from '../../src/api.js';
import type { FilterPruningController } from '../../src/algorithms/pruning/index.js';
import { channelSlice, createCompressedModel, keepEntries, recordChannelSlice } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { Graph } from '../../src/graph/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { OrtSession } from '../../src/runtime/index.js';
import { mobilenetV2Style, randomInputs, resnetStyle, type TestModel } from '../helpers/models.js';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

async function pruneAndQuantize(model: TestModel) {
  const shape = model.inputs[0].shape!.slice(1) as number[];
  const calib = randomInputs(model, 5, 16)[model.inputs[0].name];
  const initDataset = new Dataset({ dtype: 'float32', shape: calib.dims, data: calib.data });
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [1, ...shape] },
    compression: [
      { algorithm: 'filter_pruning', pruning_init: 0.5, params: { prune_first_conv: true, prune_downsample_convs: true, schedule: 'baseline', pruning_target: 0.5 } },
      { algorithm: 'quantization', export_to_onnx_standard_ops: true, initializer: { range: { num_init_samples: 16 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
    ],
  });
  const r = await createCompressedModel(model.graph, config, { initDataset });
  const pruning = (r.controller as unknown as { children: { name: string }[] }).children.find((c) => c.name === 'filter_pruning') as unknown as FilterPruningController;
  expect(pruning.groupLevels().some((l) => l > 0)).toBe(true);
  const small = exportCompressedModelBytes(r);
  pruning.keepShape = true;
  const full = exportCompressedModelBytes(r);
  pruning.keepShape = false;
  const x = randomInputs(model, 11, 2)[model.inputs[0].name];
  const feeds = { [model.inputs[0].name]: { dtype: 'float32' as const, shape: x.dims, data: x.data } };
  const out = model.outputs[0];
  const sSmall = await OrtSession.create(small);
  const sFull = await OrtSession.create(full);
  const a = (await sSmall.run(feeds))[out].data as Float32Array;
  const b = (await sFull.run(feeds))[out].data as Float32Array;
  await sSmall.release();
  await sFull.release();
  const before = tf.memory().numTensors;
  const sim = tf.tidy(() => r.model.run({ [model.inputs[0].name]: tf.tensor(x.data, x.dims) })[out].dataSync() as Float32Array);
  expect(tf.memory().numTensors).toBe(before);
  const g = parseOnnx(small);
  const gFull = parseOnnx(full);
  r.controller.dispose();
  return { a, b, sim, g, gFull, small, full };
}

/** Conv weights are stored as int8 initializers read by a DequantizeLinear: their scale length is the filter count. */
function perChannelScales(g: Graph): { filters: number; scales: number }[] {
  const rows: { filters: number; scales: number }[] = [];
  for (const n of g.nodes) {
    if (n.opType !== 'DequantizeLinear') continue;
    const w = g.initializers.get(n.inputs[0]);
    const s = g.initializers.get(n.inputs[1]);
    if (w && s && w.dims.length === 4 && s.values.length > 1) rows.push({ filters: w.dims[0], scales: s.values.length });
  }
  return rows;
}

describe('filter_pruning + quantization: the smaller model exported quantized', () => {
  it.each([
    ['resnet-style', () => resnetStyle()],
    ['mobilenet-v2-style (depthwise)', () => mobilenetV2Style()],
  ] as const)('%s: QDQ of the smaller model = QDQ with masked zeros on ORT; close to the simulated model', async (name, make) => {
    const { a, b, sim, g, gFull, small, full } = await pruneAndQuantize(make());
    const count = (x: Graph) => [...x.initializers.values()].reduce((s, t) => s + t.values.length, 0);
    const ortDiff = maxDiff(a, b);
    const simDiff = maxDiff(a, sim);
    console.log(`${name}: smaller vs masked QDQ on ORT ${ortDiff.toExponential(2)}, vs simulated ${simDiff.toExponential(2)} (output max |y| ${maxAbs(sim).toFixed(3)}), initializers ${count(g)} vs ${count(gFull)}, bytes ${small.length} vs ${full.length}`);
    // the pruned channels are exact zeros on both sides, the kept ones see the same integer grids; ORT's
    // kernels for the narrower layers may sum in another order (depthwise: 1e-4 of a 0.1 output)
    expect(ortDiff).toBeLessThan(2e-3 * maxAbs(sim));
    // QDQ on ORT vs FakeQuantize on the engine: within 1 % of the output range
    expect(simDiff).toBeLessThan(1e-2 * maxAbs(sim));
    expect(g.nodes.some((n) => n.opType === 'QuantizeLinear')).toBe(true);
    expect(count(g)).toBeLessThan(0.8 * count(gFull));
    const rows = perChannelScales(g);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.scales).toBe(r.filters);
    expect(perChannelScales(gFull).reduce((s, r) => s + r.scales, 0)).toBeGreaterThan(rows.reduce((s, r) => s + r.scales, 0));
  }, 120_000);
});

describe('export channel slices', () => {
  it('records slices per export graph and tensor axis; keeps the kept channels\u2019 entries', () => {
    const g = new Graph({ name: 'g', nodes: [], inputs: [], outputs: [], initializers: [], tensors: [], opsets: new Map(), modelInfo: {} });
    const other = new Graph({ name: 'h', nodes: [], inputs: [], outputs: [], initializers: [], tensors: [], opsets: new Map(), modelInfo: {} });
    recordChannelSlice(g, 'w', 0, Uint8Array.from([1, 0, 1, 0]));
    expect(Array.from(channelSlice(g, 'w', 0)!)).toEqual([1, 0, 1, 0]);
    expect(channelSlice(g, 'w', 1)).toBeUndefined();
    expect(channelSlice(other, 'w', 0)).toBeUndefined();
    expect(Array.from(keepEntries(Float32Array.from([0.5, 1, 2, 4]), channelSlice(g, 'w', 0)!, 'q'))).toEqual([0.5, 2]);
  });

  it('a per-channel parameter whose length is not the full channel count is an error naming it', () => {
    expect(() => keepEntries(Float32Array.from([1, 2, 3]), Uint8Array.from([1, 0, 1, 0]), 'quantizer conv|WEIGHT')).toThrow(/quantizer conv\|WEIGHT: 3 per-channel values, but the tensor had 4 channels/);
  });
});
