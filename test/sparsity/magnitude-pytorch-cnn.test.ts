/**
 * Issue 13 acceptance: magnitude thresholds, `sparsity_level_for_layers` and the model `sparsity_level`
 * on a CNN in PyTorch's export form (`training=PRESERVE`: BatchNormalization kept as nodes, the fresh
 * BNs' equal gamma/beta deduplicated so the second BN reads them through `Identity` nodes; conv with
 * bias, residual Add, Concat, GlobalAveragePool, Flatten, Linear as Gemm), hand-checked against NNCF's
 * definitions (nncf/torch/sparsity/magnitude/algo.py, nncf/common/sparsity/collector.py):
 *  - importance normed_abs = |w| / ‖w‖₂ per layer; global threshold thr = sorted[int((N − 1)·L)] over the
 *    concatenated importances; a weight is kept iff importance > thr;
 *  - sparsity_level_for_layers = zeros among the sparsified weights;
 *  - sparsity_level = zeros among every parameter of the PyTorch model: weights, biases and each BN's
 *    weight/bias (two per BN even where the export shares one initializer), not running statistics.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/algorithms/index.js';
import type { MagnitudeSparsityController } from '../../src/algorithms/sparsity/index.js';
import { exportCompressedModelBytes } from '../../src/api.js';
import { createCompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { initBackend } from '../../src/engine/index.js';
import { OrtSession } from '../../src/runtime/index.js';
import { pytorchStyleCnn } from './sparsity-models.js';

beforeAll(async () => {
  await initBackend('wasm');
});

async function build(section: object) {
  const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 2, 4, 4] }, compression: { algorithm: 'magnitude_sparsity', ...section } });
  const r = await createCompressedModel(pytorchStyleCnn().toGraph(), config);
  return { ...r, ctrl: r.controller as MagnitudeSparsityController };
}
const masks = (c: MagnitudeSparsityController) => Object.fromEntries(c.masked.map((m) => [m.name, Array.from(m.toOnnx(m.mask).dataSync())]));
const S = Math.sqrt(650);

describe('magnitude_sparsity on a PyTorch-exported CNN (hand-checked)', () => {
  it('global normed_abs 0.5: thr = sorted[int(23·0.5)] = 10/√650; levels as NNCF defines them', async () => {
    const { ctrl } = await build({ sparsity_init: 0.5 });
    expect(ctrl.masked.map((m) => m.name)).toEqual(['/conv1/Conv', '/conv2/Conv', '/conv3/Conv', '/fc/Gemm']);
    // importances: conv1 .2 .4 .4 .8; conv2 .4 .2 .4 .8; conv3 .5 ×4; fc k/√650 (k = 1..12, .039 … .471).
    // sorted (24): 1/S … 5/S, .2, .2, 6/S … 10/S (index 11), .4 ×4, 11/S, 12/S, .5 ×4, .8, .8
    expect(ctrl.selectThreshold(0.5)).toBeCloseTo(10 / S, 6);
    expect(masks(ctrl)).toEqual({
      '/conv1/Conv': [0, 1, 1, 1],
      '/conv2/Conv': [1, 0, 1, 1],
      '/conv3/Conv': [1, 1, 1, 1],
      '/fc/Gemm': [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1],
    });
    const s = ctrl.collect();
    expect(s.sparsityLevelForLayers).toBe(12 / 24);
    expect(s.layers.map((l) => [l.name, l.sparsityLevel, l.weightPercentage])).toEqual([
      ['/conv1/Conv', 0.25, (100 * 4) / 24], ['/conv2/Conv', 0.25, (100 * 4) / 24], ['/conv3/Conv', 0, (100 * 4) / 24], ['/fc/Gemm', 10 / 12, (100 * 12) / 24],
    ]);
    // parameters: conv1 4+2, bn1 2+2, conv2 4+2, conv3 4, bn2 2+2 (through Identity), fc 12+3 = 39;
    // zeros: 12 masked + both BN betas (2 + 2) + fc.bias[1]; running mean/var not counted
    expect(s.sparsityLevel).toBe(17 / 39);
    // the thresholds statistic: the global threshold at the measured level, for every layer
    expect(ctrl.thresholds().map((t) => t.threshold)).toEqual(new Array(4).fill(expect.closeTo(10 / S, 6)));
  });

  it('abs, global 0.75: thr = sorted |w|[int(23·0.75)] = sorted[17] = 6; local 0.5 per layer: sorted[int((n − 1)·0.5)] of each layer', async () => {
    // |w| of conv1 1 2 2 4, conv2 2 1 2 4, conv3 .5 ×4, fc 1..12, sorted: .5 ×4 (0–3), 1 ×3 (4–6), 2 ×5 (7–11),
    // 3 (12), 4 ×3 (13–15), 5 (16), 6 (17), 7 … 12
    const { ctrl } = await build({ sparsity_init: 0.75, params: { weight_importance: 'abs' } });
    const all = [1, 2, 2, 4, 2, 1, 2, 4, 0.5, 0.5, 0.5, 0.5, ...Array.from({ length: 12 }, (_, i) => i + 1)].sort((a, b) => a - b);
    expect(all[17]).toBe(6);
    expect(ctrl.selectThreshold(0.75)).toBe(6);
    expect(masks(ctrl)).toEqual({
      '/conv1/Conv': [0, 0, 0, 0], '/conv2/Conv': [0, 0, 0, 0], '/conv3/Conv': [0, 0, 0, 0],
      '/fc/Gemm': [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1],
    });
    expect(ctrl.collect().sparsityLevelForLayers).toBe(18 / 24);
    expect(ctrl.collect().sparsityLevel).toBe(23 / 39); // + 4 BN betas + fc.bias[1]
    const local = await build({ params: { sparsity_level_setting_mode: 'local', weight_importance: 'abs' } });
    for (const m of local.ctrl.masked) local.ctrl.setSparsityLevel(0.5, m); // NNCF's set_sparsity_level(level, layer)
    // conv1 sorted 1 2 2 4 → sorted[1] = 2 → keeps 4; conv3 all .5 → all masked; fc sorted[5] = 6 → keeps 7..12
    expect(masks(local.ctrl)).toEqual({
      '/conv1/Conv': [0, 0, 0, 1], '/conv2/Conv': [0, 0, 0, 1], '/conv3/Conv': [0, 0, 0, 0],
      '/fc/Gemm': [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1],
    });
  });

  it('export: the zeros in the weights, no mask left; ORT equals the masked engine model', async () => {
    const r = await build({ sparsity_init: 0.5 });
    const bytes = exportCompressedModelBytes(r);
    const x = Float32Array.from({ length: 2 * 2 * 16 }, (_, i) => Math.sin(i) * 2);
    const tf = await import('@tensorflow/tfjs-core');
    const engine = tf.tidy(() => Array.from(r.model.run({ input: tf.tensor(x, [2, 2, 4, 4]) }).logits.dataSync()));
    const s = await OrtSession.create(bytes);
    const ort = Array.from((await s.run({ input: { dtype: 'float32', shape: [2, 2, 4, 4], data: x } })).logits.data as Float32Array);
    await s.release();
    ort.forEach((v, i) => expect(Math.abs(v - engine[i])).toBeLessThan(1e-4));
  });
});
