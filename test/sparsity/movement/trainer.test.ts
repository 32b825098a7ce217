/**
 * movement_sparsity + knowledge_distillation through the Trainer (issue 13 item 7), on ONNX Runtime and
 * on the tfjs engine: 3 epochs of 2 steps run the whole warm-up (PRE, IN, POST) with structured
 * masking; both engines end with the same weights, scores and masks, the same compression loss (the
 * importance loss + the KD term against the unmasked teacher), and structured masks resolved.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '../../../src/algorithms/index.js';
import type { MovementSparsityController } from '../../../src/algorithms/sparsity/index.js';
import type { CompositeController } from '../../../src/compression/index.js';
import type { Dataset } from '../../../src/data/index.js';
import { initBackend } from '../../../src/engine/index.js';
import { taskLoss } from '../../../src/training/index.js';
import { transformerEncoder } from '../../helpers/models.js';
import { encoderRegressionData } from './encoder-data.js';
import { makeJob, maxRelDiff, weightsOf } from '../../training/ort-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const graph = () => transformerEncoder({ seq: 4, dModel: 16, heads: 2, ff: 32, layers: 1 }).graph;

const dataset = (): Dataset => encoderRegressionData(8, 11);

const compression = [
  { algorithm: 'movement_sparsity', params: { warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 2, steps_per_epoch: 2 } },
  { algorithm: 'knowledge_distillation', type: 'mse', scale: 0.5 },
];

describe('movement_sparsity + knowledge distillation in the trainer', () => {
  it('ORT and tfjs: same losses, weights, scores and structured masks through warm-up', async () => {
    const runs = [];
    for (const engine of ['ort', 'tfjs'] as const) {
      const j = await makeJob({ graph, train: dataset(), engine, loss: taskLoss('mse', 'hidden'), config: { batch_size: 4, epochs: 3, seed: 2, optimizer: { type: 'sgd', base_lr: 0.05 }, compression } });
      const history = await j.trainer.fit();
      const mv = (j.created.controller as CompositeController).children[0] as MovementSparsityController;
      runs.push({ engine: j.trainer.engine, history, weights: weightsOf(j), mv, lines: j.lines });
      j.trainer.dispose();
    }
    const [ort, tfjs] = runs;
    expect([ort.engine, tfjs.engine]).toEqual(['ort', 'tfjs']);
    console.log(`movement+KD: compression loss ORT ${ort.history.map((h) => h.compressionLoss.toFixed(6))} tfjs ${tfjs.history.map((h) => h.compressionLoss.toFixed(6))}; sparsity ${ort.mv.statistics().values.sparsity_level_for_layers}`);
    for (const [i, h] of ort.history.entries()) {
      expect(h.compressionLoss).toBeGreaterThan(0);
      expect(Math.abs(h.compressionLoss - tfjs.history[i].compressionLoss)).toBeLessThan(1e-4);
      expect(Math.abs(h.taskLoss - tfjs.history[i].taskLoss)).toBeLessThan(1e-4);
    }
    const d = maxRelDiff(ort.weights, tfjs.weights);
    expect(d.diff, d.where).toBeLessThan(1e-3);
    for (const r of runs) {
      expect(r.mv.sparsifiers.every((s) => s.frozen)).toBe(true);
      expect(r.mv.structuredReport).toBeDefined();
    }
    expect(ort.mv.structuredReport).toEqual(tfjs.mv.structuredReport);
    expect(ort.mv.statistics().values).toEqual(tfjs.mv.statistics().values);
    // composite stage: KD is always FULLY; movement UNCOMPRESSED → FULLY over the epochs
    expect(ort.history.map((h) => h.stage)).toEqual([1, 1, 2]);
    expect(ort.mv.compressionStage()).toBe(2);
    // every head and channel kept some weight, so the structured masks are all ones (NNCF drops fine zeros inside kept units)
    expect(ort.mv.structuredReport!.every((r) => r.keptUnits.length > 0)).toBe(true);
  }, 300_000);
});
