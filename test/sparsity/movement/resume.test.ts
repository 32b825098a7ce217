/**
 * Resume of movement_sparsity training on ONNX Runtime (issue 13, "kill during sparse training and
 * resume"): a run killed mid-epoch and resumed from its last checkpoint ends with the same weights,
 * importance scores, stored masks and structured-mask report as the uninterrupted run (1e-6). Two kill
 * points: inside the warm-up (the resumed run must still resolve the structured masks on the same step)
 * and after the structured masks were resolved and frozen (the frozen flags, the report and the final
 * threshold must come back from the compression state).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../../src/algorithms/index.js';
import type { MovementSparsityController } from '../../../src/algorithms/sparsity/index.js';
import type { Dataset } from '../../../src/data/index.js';
import { initBackend } from '../../../src/engine/index.js';
import { readTrainingCheckpoint, taskLoss } from '../../../src/training/index.js';
import { transformerEncoder } from '../../helpers/models.js';
import { encoderRegressionData } from './encoder-data.js';
import { maxAbsDiff } from '../../training/run-helpers.js';
import { makeJob, weightsOf } from '../../training/ort-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});
const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-movement-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const graph = () => transformerEncoder({ seq: 4, dModel: 16, heads: 2, ff: 32, layers: 1 }).graph;

/** 16 samples, batch 4: 4 optimizer steps per epoch. */
const dataset = (): Dataset => encoderRegressionData(16, 21);

// warm-up over epoch 1; structured masks resolved on the first step of epoch 2; a strong regularization
// and a high final threshold so that the warm-up really masks weights and whole FFN channels go
const config = {
  batch_size: 4, epochs: 3, seed: 3,
  optimizer: { type: 'adam', base_lr: 0.05 },
  compression: { algorithm: 'movement_sparsity', params: { warmup_start_epoch: 1, warmup_end_epoch: 2, importance_regularization_factor: 50, init_importance_threshold: -0.05, final_importance_threshold: 0.2, power: 2, steps_per_epoch: 4 } },
};
const job = (options: object = {}, resume?: string) =>
  makeJob({ graph, train: dataset(), engine: 'ort', loss: taskLoss('mse', 'hidden'), config, options, resume });
const movement = (j: Awaited<ReturnType<typeof job>>) => j.created.controller as MovementSparsityController;

describe('resume during movement_sparsity training (ORT engine)', () => {
  it('killed inside warm-up and after the structured masks froze: same weights, scores, masks and report (1e-6)', async () => {
    const full = await job();
    await full.trainer.fit();
    const expected = weightsOf(full);
    const ref = movement(full);
    expect(full.trainer.engine).toBe('ort');
    expect(ref.structuredReport).toBeDefined();
    // the strong regularization removes whole FFN channels at the end of warm-up (3 of 32 with this seed)
    const keptChannels = ref.structuredReport!.map((r) => r.keptUnits.length);
    console.log(`uninterrupted: kept heads/channels per layer ${keptChannels.join(', ')}; sparsity_level_for_layers ${ref.collect().sparsityLevelForLayers}`);
    expect(Math.min(...keptChannels.slice(4))).toBeLessThan(32);
    expect(ref.collect().sparsityLevelForLayers).toBeGreaterThan(0);
    for (const [name, killAt] of [['warm-up', { epoch: 1, batch: 2 }], ['frozen', { epoch: 2, batch: 2 }]] as const) {
      const cdir = join(dir, name);
      const crashed = await job({
        checkpointDir: cdir, checkpointEverySteps: 3,
        onBatchEnd: (e: { epoch: number; batch: number }) => {
          if (e.epoch === killAt.epoch && e.batch === killAt.batch) throw new Error('simulated kill');
        },
      });
      await expect(crashed.trainer.fit()).rejects.toThrow('simulated kill');
      const saved = readTrainingCheckpoint(join(cdir, 'last.ckpt')).meta.position;
      crashed.trainer.dispose();
      // 4 steps per epoch, saved every 3: the last save before the kill
      expect(saved).toEqual(name === 'warm-up' ? { epoch: 1, batch: 2, globalStep: 6 } : { epoch: 2, batch: 1, globalStep: 9 });
      const resumed = await job({ checkpointDir: cdir }, join(cdir, 'last.ckpt'));
      expect(resumed.trainer.engine).toBe('ort');
      if (name === 'frozen') expect(movement(resumed).sparsifiers.every((s) => s.frozen)).toBe(true);
      await resumed.trainer.fit();
      const got = weightsOf(resumed);
      expect(Object.keys(got)).toEqual(Object.keys(expected));
      const diff = maxAbsDiff(got, expected);
      console.log(`movement resume (${name}): max |resumed − uninterrupted| over weights, scores, masks = ${diff}`);
      expect(diff).toBeLessThanOrEqual(1e-6);
      const mv = movement(resumed);
      expect(mv.structuredReport).toEqual(ref.structuredReport);
      expect(mv.importanceThreshold).toBe(ref.importanceThreshold);
      expect(mv.statistics().values).toEqual(ref.statistics().values);
      resumed.trainer.dispose();
    }
    full.trainer.dispose();
  }, 300_000);
});
