/**
 * The RB recipe of docs/benchmarks.md (bench/sparsity/rb-fashion.json) stays a config `nncf-ts train`
 * runs: it loads, its parameter groups put every RB mask logit (and nothing else) in the first group, and
 * its per-step polynomial schedule reaches 50 % at 0.9 of epoch 0 and freezes at epoch 1.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/algorithms/index.js';
import type { RBSparsityController } from '../../src/algorithms/sparsity/index.js';
import { createCompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { initBackend } from '../../src/engine/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { trainingSettings } from '../../src/training/index.js';
import { paramGroupsFor, variableNames } from '../../src/training/param-groups.js';
import { readFileSync } from 'node:fs';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('bench/sparsity/rb-fashion.json', () => {
  it('loads; mask logits in the 0.01 group, weights in the 1e-4 group; 50 % from step 845 of 938, frozen at epoch 1', async () => {
    const config = NNCFConfig.fromFile('bench/sparsity/rb-fashion.json');
    const s = trainingSettings(config);
    expect([s.epochs, s.batchSize, s.optimizer.type]).toEqual([2, 64, 'adam']);
    const { model, controller } = await createCompressedModel(parseOnnx(new Uint8Array(readFileSync('examples/fashion-mnist/model.onnx'))), config);
    const ctrl = controller as RBSparsityController;
    const variables = [...model.trainableVariables(), ...ctrl.compressionVariables()];
    const names = variableNames(model, variables);
    const groups = paramGroupsFor(s.optimizer, names)!;
    const logits = new Set(ctrl.compressionVariables());
    variables.forEach((v, i) => expect(groups.lrScale[i], names[i]).toBeCloseTo(logits.has(v) ? 100 : 1, 9));
    expect(logits.size).toBe(ctrl.layers.length);
    expect(ctrl.layers.reduce((n, l) => n + l.logits.size, 0)).toBe(202_320);
    // the scheduler over NNCF's loop: epoch_step, then step() before each batch
    ctrl.scheduler.epochStep();
    const levels: number[] = [];
    for (let b = 0; b < 938; b++) {
      ctrl.scheduler.step();
      levels.push(ctrl.compressionRate);
    }
    expect(levels[0]).toBe(0);
    // concave polynomial, power 0.9: 0.5 − 0.5·(1 − (b / 938) / 0.9)^0.9 before step b+1; 844.2 / 938 = 0.9
    expect(levels[469]).toBeCloseTo(0.5 - 0.5 * Math.pow(1 - 469 / 938 / 0.9, 0.9), 12);
    expect(levels[844]).toBeLessThan(0.5);
    expect(levels[845]).toBe(0.5);
    expect(ctrl.rbLoss.disabled).toBe(false);
    ctrl.scheduler.epochStep();
    // per-step schedules update (and freeze, as NNCF's _update_sparsity_level) in step(), before the epoch's first batch
    expect(ctrl.rbLoss.disabled).toBe(false);
    ctrl.scheduler.step();
    expect(ctrl.rbLoss.disabled).toBe(true);
    expect(ctrl.layers.every((l) => l.frozen)).toBe(true);
    controller.dispose();
    model.engine.dispose();
  });
});
