/**
 * Issue 13 item 7 at export: sparsity + quantization in one config (NNCF's magnitude/rb_sparsity +
 * quantization configs). The mask applies before the weight quantizer, as NNCF orders the hooks, so
 * the QDQ export holds int8 weights that are exactly 0 where the mask is 0 (no mask op left), and ONNX
 * Runtime on the QDQ model gives the engine's simulated (masked, fake-quantized) output.
 * Why the hand-picked model differs by up to 2.7 % of the output range: its weights (1, −2, 2, 4, …) are
 * exact halves of their channel's maximum, so w / step lands exactly on k + ½ of the 7-bit (overflow-fix
 * half-range) grid, and the downstream activations on ties of theirs. The simulation (float32 tfjs ops)
 * and the export's integers (float64, NNCF's formula with eps) round such ties to different sides: one
 * level, ≈ 3 % of that weight. It is neither the sparsity, nor ORT (our engine running the exported QDQ
 * file equals ORT within 2e-5), nor the int32 Gemm bias (≤ half a step): the same model with its weights
 * moved off the ties agrees within 1e-5 of the output range (last test).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/algorithms/index.js';
import type { MagnitudeSparsityController, RBSparsityController } from '../../src/algorithms/sparsity/index.js';
import { exportCompressedModelBytes } from '../../src/api.js';
import { createCompressedModel, type CompositeController } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { OrtSession } from '../../src/runtime/index.js';
import { seededRandom } from '../helpers/onnx-builder.js';
import { pytorchStyleCnn } from './sparsity-models.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const rnd = seededRandom(4);
const X = Float32Array.from({ length: 8 * 32 }, () => rnd() * 4 - 2);
const data = new Dataset({ dtype: 'float32', shape: [8, 2, 4, 4], data: X }, { dtype: 'int32', shape: [8], data: new Int32Array(8) });

async function check(sparsity: object, setMasks?: (c: CompositeController) => void, graph = pytorchStyleCnn().toGraph()) {
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [1, 2, 4, 4] }, batch_size: 8,
    compression: [sparsity, { algorithm: 'quantization', initializer: { range: { num_init_samples: 8 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } }],
  });
  const r = await createCompressedModel(graph, config, { initDataset: data });
  const composite = r.controller as CompositeController;
  setMasks?.(composite);
  const sp = composite.children[0] as MagnitudeSparsityController | RBSparsityController;
  // the mask the export applies: magnitude's stored mask; RB's sigmoid(logits) > 0.5, i.e. logits > 0
  const binary = (m: (typeof sp.masked)[number]) => ('logits' in m ? tf.cast(tf.greater(m.logits as tf.Variable, 0), 'float32') : m.mask);
  const masks = new Map(sp.masked.map((m) => [m.layer.weight, tf.tidy(() => Array.from(m.toOnnx(binary(m)).dataSync()))]));
  const bytes = exportCompressedModelBytes(r);
  const g = parseOnnx(bytes);
  expect(g.nodes.some((n) => n.domain !== '' && n.domain !== 'ai.onnx')).toBe(false);
  const zerosMatch: string[] = [];
  for (const [weight, mask] of masks) {
    // the weight's DequantizeLinear: its int8 input stands where the float weight was
    const dq = g.nodes.find((n) => n.opType === 'DequantizeLinear' && g.initializers.get(n.inputs[0])?.dtype === 'int8' && g.initializers.get(n.inputs[0])!.values.length === mask.length && n.inputs[0].startsWith(weight));
    expect(dq, weight).toBeDefined();
    const q = Array.from(g.initializers.get(dq!.inputs[0])!.values as Int8Array);
    expect(q.map((v) => (v === 0 ? 0 : 1)), weight).toEqual(mask);
    zerosMatch.push(weight);
  }
  const engine = tf.tidy(() => Array.from(r.model.run({ input: tf.tensor(X, [8, 2, 4, 4]) }).logits.dataSync()));
  const s = await OrtSession.create(bytes);
  const ort = Array.from((await s.run({ input: { dtype: 'float32', shape: [8, 2, 4, 4], data: X } })).logits.data as Float32Array);
  await s.release();
  let diff = 0, range = 0;
  ort.forEach((v, i) => ((diff = Math.max(diff, Math.abs(v - engine[i]))), (range = Math.max(range, Math.abs(engine[i])))));
  r.controller.dispose();
  return { zerosMatch, diff, range, zeros: [...masks.values()].flat().filter((v) => v === 0).length };
}

describe('sparsity + quantization exported as QDQ', () => {
  it('magnitude 0.5: int8 weights zero exactly where masked; ORT = simulated engine', async () => {
    const r = await check({ algorithm: 'magnitude_sparsity', sparsity_init: 0.5 });
    console.log(`magnitude + int8: ${r.zeros} masked weights, ORT vs engine ${r.diff.toExponential(2)} of range ${r.range.toFixed(3)}`);
    expect(r.zerosMatch).toEqual(['conv1.weight', 'conv2.weight', 'conv3.weight', 'fc.weight']);
    expect(r.zeros).toBe(12); // as magnitude-pytorch-cnn.test.ts
    expect(r.diff / r.range).toBeLessThan(0.05);
  }, 120_000);

  it('rb: the weights whose logits are negative are zero in the int8 export; ORT = simulated engine', async () => {
    const r = await check({ algorithm: 'rb_sparsity' }, (c) => {
      const rb = c.children[0] as RBSparsityController;
      // every second weight of each layer below the 0.5 mask threshold
      for (const m of rb.layers) m.logits.assign(tf.tidy(() => tf.tensor(Array.from({ length: m.logits.size }, (_, i) => (i % 2 ? -3 : 3)), m.logits.shape)));
    });
    console.log(`rb + int8: ${r.zeros} masked weights, ORT vs engine ${r.diff.toExponential(2)} of range ${r.range.toFixed(3)}`);
    expect(r.zeros).toBe(12);
    expect(r.diff / r.range).toBeLessThan(0.05);
  }, 120_000);

  it('the same model with its weights off the rounding ties: ORT = simulated within 1e-5 of the output range', async () => {
    const graph = pytorchStyleCnn().toGraph();
    // each weight scaled by its own factor in [0.987, 1.013]: no weight is an exact half of its channel's maximum any more
    for (const [name, t] of graph.initializers)
      if (name.endsWith('weight')) (t.values as Float32Array).forEach((v, i, a) => (a[i] = Math.fround(v * (1 + 0.013 * Math.sin(7 * i + name.length)))));
    const r = await check({ algorithm: 'magnitude_sparsity', sparsity_init: 0.5 }, undefined, graph);
    console.log(`off-tie magnitude + int8: ORT vs engine ${r.diff.toExponential(2)} of range ${r.range.toFixed(3)}`);
    expect(r.zerosMatch).toEqual(['conv1.weight', 'conv2.weight', 'conv3.weight', 'fc.weight']);
    expect(r.zeros).toBeGreaterThanOrEqual(10);
    expect(r.diff / r.range).toBeLessThan(1e-5);
  }, 120_000);
});
