/**
 * Staged QAT through the real Trainer and quantization controller: quantizers disabled before their
 * start epoch take no optimizer step (no gradient reaches them, so neither Adam nor its weight decay
 * touches them), the stage advances U → P → F, and range re-init runs at each group's start epoch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel, QuantizationController } from '../../src/api.js';
import { CompressionStage } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { initBackend } from '../../src/engine/index.js';
import { softmaxCrossEntropy, Trainer, trainingSettings } from '../../src/training/index.js';
import { digits, digitsCnn } from '../training/helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('staged QAT with the Trainer', () => {
  it('activations at 1, weights at 2 (base_wd 1e-3): disabled quantizers keep their parameters, stage U → P → F', async () => {
    const params = { activations_quant_start_epoch: 1, weights_quant_start_epoch: 2, base_lr: 1e-2, base_wd: 1e-3 };
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 1, 8, 8] },
      batch_size: 16,
      epochs: 3,
      compression: { algorithm: 'quantization', initializer: { range: { num_init_samples: 32 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } }, params },
    });
    const data = await digits(64);
    const r = await createCompressedModel(digitsCnn().graph, config, { initDataset: data });
    const ctrl = r.controller as QuantizationController;
    const snap = (kind: 'activation' | 'weight') => ctrl.modules.filter((m) => m.placed.kind === kind).map((m) => JSON.stringify(m.quantizer.toState().params));
    const atEpochStart: Record<number, { act: string[]; w: string[] }> = {};
    const atEpochEnd: Record<number, { act: string[]; w: string[] }> = {};
    const trainer = new Trainer({
      model: r.model, controller: ctrl, train: data, settings: trainingSettings(config), config,
      loss: (o, y) => softmaxCrossEntropy(o.logits, y!),
      onEpochStart: (e) => (atEpochStart[e] = { act: snap('activation'), w: snap('weight') }),
      onEpochEnd: (rec) => (atEpochEnd[rec.epoch] = { act: snap('activation'), w: snap('weight') }),
    });
    const history = await trainer.fit();
    const { UNCOMPRESSED: U, PARTIALLY_COMPRESSED: P, FULLY_COMPRESSED: F } = CompressionStage;
    expect(history.map((h) => h.stage)).toEqual([U, P, F]);
    expect(ctrl.stagedRangeInits.map((i) => i.epoch)).toEqual([1, 2]);
    expect(atEpochEnd[0]).toEqual(atEpochStart[0]); // nothing enabled: no quantizer parameter moved
    expect(atEpochEnd[1].w).toEqual(atEpochStart[1].w); // weights still off in epoch 1
    expect(atEpochEnd[1].act).not.toEqual(atEpochStart[1].act); // activations train from epoch 1
    expect(atEpochEnd[2].w).not.toEqual(atEpochStart[2].w);
    expect(history.every((h) => Number.isFinite(h.loss))).toBe(true);
    trainer.dispose();
    ctrl.dispose();
  });
});
