/**
 * QAT through the real Trainer on ONNX Runtime vs the tfjs engine: the quantizers run as FakeQuantize
 * nodes in the compiled training graph (parameters trained with compression_lr_multiplier applied by the
 * trainer); losses, weights and quantizer parameters follow the tfjs run where they run as hooks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { QuantizationController } from '../../src/api.js';
import { initBackend } from '../../src/engine/index.js';
import { digitsCnn } from './helpers.js';
import { makeJob, maxRelDiff, randomDataset, weightsOf } from './ort-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const SGD = { type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0.9 }, weight_decay: 1e-4 };

describe('QAT on ORT', () => {
  it('symmetric 8-bit, compression_lr_multiplier 2, 3 epochs: same losses, weights and quantizer parameters as tfjs (1e-4)', async () => {
    const compression = {
      algorithm: 'quantization',
      compression_lr_multiplier: 2,
      initializer: { range: { num_init_samples: 32 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } },
    };
    // Random inputs: sklearn digits are multiples of 1/16 and land on the input quantizer's rounding
    // midpoints, where ORT and tfjs round one level apart and the two runs drift apart.
    const train = randomDataset(digitsCnn().graph, 96, 10, 5);
    const runs = [];
    for (const engine of ['ort', 'tfjs'] as const) {
      const j = await makeJob({ graph: () => digitsCnn().graph, train, config: { batch_size: 32, epochs: 3, seed: 1, optimizer: SGD, compression }, engine });
      const history = await j.trainer.fit();
      const ctrl = j.created.controller as QuantizationController;
      const params = Object.fromEntries(ctrl.modules.map((m) => [m.placed.id, Object.values(m.quantizer.toState().params).flat() as number[]]));
      runs.push({ engine: j.trainer.engine, history, weights: weightsOf(j), params });
      j.trainer.dispose();
    }
    const [ort, tfjs] = runs;
    expect(ort.engine).toBe('ort');
    expect(tfjs.engine).toBe('tfjs');
    const w = maxRelDiff(ort.weights, tfjs.weights);
    const p = maxRelDiff(ort.params, tfjs.params);
    console.log(`QAT: losses ORT ${ort.history.map((h) => h.loss.toFixed(5))} tfjs ${tfjs.history.map((h) => h.loss.toFixed(5))}; weights worst ${w.diff.toExponential(2)}, quantizer parameters worst ${p.diff.toExponential(2)}`);
    for (const [i, h] of ort.history.entries()) expect(Math.abs(h.loss - tfjs.history[i].loss)).toBeLessThan(1e-4);
    expect(w.diff).toBeLessThan(1e-4);
    expect(p.diff).toBeLessThan(1e-4);
    // the quantizer parameters moved: the comparison is not of two untouched quantizers
    const fresh = await makeJob({ graph: () => digitsCnn().graph, train, config: { batch_size: 32, seed: 1, compression }, engine: 'tfjs' });
    const ctrl0 = fresh.created.controller as QuantizationController;
    const initial = Object.fromEntries(ctrl0.modules.map((m) => [m.placed.id, Object.values(m.quantizer.toState().params).flat() as number[]]));
    expect(maxRelDiff(ort.params, initial).diff).toBeGreaterThan(1e-3);
    fresh.trainer.dispose();
  }, 300_000);
});
