/**
 * Staged QAT (quantization `params`: activations / weights start epochs; NNCF's staged worker trains
 * with Adam and weight decay) through the Trainer on ONNX Runtime vs the tfjs engine. A quantizer that is
 * still off gets no gradient on tfjs (its hook does not read its range), so the optimizer skips it; the
 * training graph returns an exact 0 for it instead, and Adam turned the weight-decay term alone into a
 * full-LR step (the scales moved by 1e-3 per step, the weights drifted 2e-3–1.3e-2 once the group turned
 * on). The trainer now passes no gradient for an inactive node input (CompressionNodeInput.active).
 * The model has no BatchNorm: a conv bias before train-mode BN has a true gradient of 0, which Adam
 * turns into ±LR steps of rounding noise on either engine — a different, inherent divergence.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { QuantizationController } from '../../src/api.js';
import { initBackend } from '../../src/engine/index.js';
import { digitsCnn } from './helpers.js';
import { makeJob, maxRelDiff, randomDataset, weightsOf } from './ort-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const quantizerParams = (ctrl: QuantizationController) =>
  Object.fromEntries(ctrl.modules.map((m) => [m.placed.id, Object.values(m.quantizer.toState().params).flat() as number[]]));

describe('staged QAT on ORT', () => {
  it('activations on at epoch 1, weights at 2 (Adam, weight decay 1e-4): off quantizers stay put; weights and ranges equal tfjs (1e-6)', async () => {
    const compression = {
      algorithm: 'quantization',
      params: { activations_quant_start_epoch: 1, weights_quant_start_epoch: 2, base_lr: 1e-3, base_wd: 1e-4 },
      initializer: { range: { num_init_samples: 32 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } },
    };
    const graph = () => digitsCnn({ bn: false }).graph;
    const train = randomDataset(graph(), 64, 10, 5);
    const runs = [];
    for (const engine of ['ort', 'tfjs'] as const) {
      // after the first epoch's two steps every quantizer is still off: its range must not have moved
      let afterEpoch0: Record<string, number[]> = {};
      const onEpochEnd = (r: { epoch: number }) => {
        if (r.epoch === 0) afterEpoch0 = quantizerParams(ctrl);
      };
      const j = await makeJob({ graph, train, config: { batch_size: 32, epochs: 3, seed: 1, compression }, engine, options: { onEpochEnd } });
      const ctrl = j.created.controller as QuantizationController;
      const before = quantizerParams(ctrl);
      const history = await j.trainer.fit();
      runs.push({ engine: j.trainer.engine, history, weights: weightsOf(j), params: quantizerParams(ctrl), before, afterEpoch0 });
      j.trainer.dispose();
    }
    const [ort, tfjs] = runs;
    expect(ort.engine).toBe('ort');
    expect(tfjs.engine).toBe('tfjs');
    expect(maxRelDiff(ort.afterEpoch0, ort.before).diff).toBe(0);
    const w = maxRelDiff(ort.weights, tfjs.weights);
    const p = maxRelDiff(ort.params, tfjs.params);
    console.log(`staged QAT: weights worst ${w.diff.toExponential(2)} (${w.where}), quantizer ranges worst ${p.diff.toExponential(2)} (${p.where})`);
    for (const [i, h] of ort.history.entries()) expect(Math.abs(h.loss - tfjs.history[i].loss)).toBeLessThan(1e-6);
    expect(w.diff).toBeLessThan(1e-6);
    expect(p.diff).toBeLessThan(1e-6);
    // the ranges trained after the groups turned on (not a comparison of untouched quantizers)
    expect(maxRelDiff(ort.params, ort.before).diff).toBeGreaterThan(1e-4);
  }, 300_000);
});
