import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { StagedQuantizationScheduler } from '../../src/algorithms/quantization/staged-scheduler.js';
import { CompressedModel, CompressionStage, Statistics, type CompressionController } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { StagedLrPolicy, Trainer, softmaxCrossEntropy, trainingSettings } from '../../src/training/index.js';
import { digits, digitsCnn } from './helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('trainer in staged-quantization mode', () => {
  it('scheduler groups, LR poly drop and WD disabling follow the configured epochs through the trainer', async () => {
    const params = { activations_quant_start_epoch: 1, weights_quant_start_epoch: 2, lr_poly_drop_start_epoch: 1, lr_poly_drop_duration_epochs: 2, disable_wd_start_epoch: 2, base_lr: 0.01, base_wd: 1e-3, batch_multiplier: 2 };
    const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, batch_size: 16, epochs: 4, optimizer: { type: 'sgd' }, compression: { algorithm: 'quantization', params } });
    const { graph } = digitsCnn();
    const model = new CompressedModel(graph, new Engine(graph));
    const groups = { act: false, w: false, inits: [] as number[] };
    const scheduler: StagedQuantizationScheduler = new StagedQuantizationScheduler({
      enableActivations: () => (groups.act = true), disableActivations: () => (groups.act = false),
      enableWeights: () => (groups.w = true), disableWeights: () => (groups.w = false),
      initRange: () => void groups.inits.push(scheduler.currentEpoch),
    }, params);
    const ctrl: CompressionController = {
      name: 'quantization', scheduler, loss: () => tf.scalar(0), statistics: () => new Statistics('quantization', {}),
      compressionStage: () => scheduler.compressionStage(), disableScheduler() {}, prepareForExport() {}, editExportGraph() {},
      compressionVariables: () => [], getState: () => ({ scheduler_state: scheduler.getState(), compression_stage: scheduler.compressionStage() }), loadState() {}, dispose() {},
    };
    const settings = trainingSettings(config);
    const seen: { epoch: number; batch: number; lr: number; wd: number; act: boolean; w: boolean }[] = [];
    const trainer = new Trainer({
      model, controller: ctrl, train: await digits(64), settings, config, loss: (o, y) => softmaxCrossEntropy(o.logits, y!),
      onBatchEnd: (e) => seen.push({ epoch: e.epoch, batch: e.batch, lr: e.lr, wd: trainer.optimizer.weightDecay, act: groups.act, w: groups.w }),
    });
    expect(trainer.optimizer.type).toBe('adam');
    const history = await trainer.fit();
    // groups on at exactly the configured epochs, range init at each start, stage U → P → F
    expect([0, 1, 2, 3].map((e) => seen.find((s) => s.epoch === e)!).map((s) => [s.act, s.w])).toEqual([[false, false], [true, false], [true, true], [true, true]]);
    expect(groups.inits).toEqual([1, 2]);
    const { UNCOMPRESSED: U, PARTIALLY_COMPRESSED: P, FULLY_COMPRESSED: F } = CompressionStage;
    expect(history.map((h) => h.stage)).toEqual([U, P, F, F]);
    // optimizer steps every 2 batches (batch_multiplier) with the policy's lr/wd as NNCF's loop sets them
    const ref = new StagedLrPolicy(params);
    const expected: [number, number][] = [];
    for (let e = 0; e < 4; e++) {
      for (let i = 0; i < 4; i++) {
        if ((i + 1) % 2 === 0) expected.push([ref.lr, ref.weightDecay]);
        ref.step(i / 4);
      }
      ref.epochStep();
    }
    const applied = seen.filter((s) => (s.batch + 1) % 2 === 0).map((s) => [s.lr, s.wd]);
    expect(applied).toEqual(expected);
    // by hand: epoch 1 batch 3 uses the lr set after batch 2 (e = 1.5): 0.01·((3 − 1.5)/2)^2.1; wd off once e > 2
    expect(seen.find((s) => s.epoch === 1 && s.batch === 3)!.lr).toBeCloseTo(0.01 * (1.5 / 2) ** 2.1, 12);
    expect(seen.find((s) => s.epoch === 2 && s.batch === 1)!.wd).toBe(1e-3);
    expect(seen.find((s) => s.epoch === 2 && s.batch === 3)!.wd).toBe(0);
    expect(trainer.position.globalStep).toBe(8);
    trainer.dispose();
  });
});
