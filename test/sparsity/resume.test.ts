/**
 * Resume of sparse training: a run killed mid-epoch and resumed from its last checkpoint ends with the
 * same weights, masks (magnitude) and mask logits (RB) as an uninterrupted run — the per-step sparsity
 * schedule, the frozen flags and the RB noise position travel in the compression state.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/algorithms/index.js';
import type { MagnitudeSparsityController } from '../../src/algorithms/sparsity/index.js';
import { initBackend } from '../../src/engine/index.js';
import { readTrainingCheckpoint } from '../../src/training/index.js';
import { makeRun, maxAbsDiff, snapshot } from '../training/run-helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const dir = mkdtempSync(join(tmpdir(), 'nncf-ts-sparse-resume-'));
const SGD = { batch_size: 32, epochs: 3, seed: 5, optimizer: { type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0.9 }, weight_decay: 0 } };

async function crashAndResume(name: string, compression: object) {
  const config = { ...SGD, compression };
  const full = await makeRun({ config, samples: 256 });
  await full.trainer.fit();
  const expected = snapshot(full);
  const cdir = join(dir, name);
  const crashed = await makeRun({
    config, samples: 256, checkpointDir: cdir, checkpointEverySteps: 3,
    hooks: { onBatchEnd: (e) => { if (e.epoch === 1 && e.batch === 4) throw new Error('simulated kill'); } },
  });
  await expect(crashed.trainer.fit()).rejects.toThrow('simulated kill');
  expect(readTrainingCheckpoint(join(cdir, 'last.ckpt')).meta.position).toEqual({ epoch: 1, batch: 4, globalStep: 12 });
  const resumed = await makeRun({ config, samples: 256, checkpointDir: cdir, resume: join(cdir, 'last.ckpt') });
  await resumed.trainer.fit();
  const diff = maxAbsDiff(snapshot(resumed), expected);
  [full, crashed, resumed].forEach((r) => r.trainer.dispose());
  return { diff, full, resumed };
}

describe('resume during sparse training', () => {
  it('magnitude, per-step polynomial schedule: same masks and weights (1e-6)', async () => {
    const { diff, full, resumed } = await crashAndResume('magnitude', {
      algorithm: 'magnitude_sparsity',
      params: { schedule: 'polynomial', power: 1, sparsity_target: 0.6, sparsity_target_epoch: 2, update_per_optimizer_step: true, steps_per_epoch: 8 },
    });
    expect(diff).toBeLessThanOrEqual(1e-6);
    const level = (r: typeof full) => (r.controller as MagnitudeSparsityController).collect().sparsityLevelForLayers;
    expect(level(full)).toBeGreaterThan(0.55);
    expect(level(resumed)).toBe(level(full));
  }, 300_000);
  it('rb: same mask logits, noise position and weights (1e-6)', async () => {
    const { diff, resumed } = await crashAndResume('rb', { algorithm: 'rb_sparsity', sparsity_init: 0.3, compression_lr_multiplier: 50 });
    expect(diff).toBeLessThanOrEqual(1e-6);
    expect((resumed.controller.getState().noise_draws as number[])[0]).toBeGreaterThan(0);
  }, 300_000);
});
