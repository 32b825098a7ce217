/**
 * The API as NNCF's create_accuracy_aware_training_loop: a Trainer's epochs and an evaluation as the
 * callbacks, in-memory best states (modelStateCheckpoints) that put the weights back exactly, and no
 * tensor left behind once the loop returns.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createAccuracyAwareTrainingLoop, modelStateCheckpoints } from '../../../src/index.js';
import { correctCount } from '../../../src/training/index.js';
import { digits } from '../helpers.js';
import { makeRun } from '../run-helpers.js';

describe('createAccuracyAwareTrainingLoop on a Trainer (INT8 QAT, early_exit)', () => {
  it('runs, loads the best state bit-exactly, and releases every snapshot', async () => {
    const run = await makeRun({
      samples: 512,
      config: {
        batch_size: 64,
        optimizer: { type: 'sgd', base_lr: 0.05 },
        accuracy_aware_training: { mode: 'early_exit', params: { maximal_absolute_accuracy_degradation: 0.0, maximal_total_epochs: 3 } },
        compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 64 } } },
      },
    });
    const val = await digits(256);
    const evaluate = () =>
      tf.tidy(() => {
        let correct = 0;
        for (const b of val.batches(128)) {
          const out = run.model.run({ input: tf.tensor(b.x.data as Float32Array, b.x.shape) });
          correct += correctCount(out.logits, tf.tensor(b.y!.data as Int32Array, b.y!.shape, 'int32'));
        }
        return correct / val.length;
      });
    // uncompressed accuracy 1.0 with no drop allowed: never met, so all 3 epochs run and the best state is loaded
    const loop = createAccuracyAwareTrainingLoop(run.config, run.controller, 1.0);
    const ckpt = modelStateCheckpoints(run.model, run.controller);
    const fcWeight = () => {
      const t = run.model.engine.getWeight('fc.weight');
      const v = Float32Array.from(t.dataSync() as Float32Array);
      t.dispose();
      return v;
    };
    let bestWeights: Float32Array | undefined;
    let best = -1;
    const before = tf.memory().numTensors;
    const result = await loop.run({
      ...ckpt,
      saveState: () => {
        const s = ckpt.saveState() as Awaited<ReturnType<typeof ckpt.saveState>>;
        const acc = loop === undefined ? 0 : evaluate();
        if (acc >= best) {
          best = acc;
          bestWeights = fcWeight();
        }
        return s;
      },
      trainEpoch: async () => (await run.trainer.trainEpoch({ stepScheduler: false })).loss,
      validate: evaluate,
      configureOptimizers: (f) => run.trainer.resetOptimizer(f),
    });
    expect(result.epochs).toBe(3);
    expect(result.reason).toBe('maximal_total_epochs (3) reached');
    expect(result.history.map((h) => h.phase)).toEqual(['init', 'train', 'train', 'train']);
    expect(result.accuracy).toBe(Math.max(...result.history.map((h) => h.accuracy)));
    expect(evaluate()).toBe(result.accuracy);
    expect(Array.from(fcWeight())).toEqual(Array.from(bestWeights!));
    expect(run.controller.scheduler.currentEpoch).toBe(2);
    // the optimizer's moments are the only tensors the epochs add; the kept snapshots are all released
    run.trainer.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  }, 300_000);
});
