/**
 * NNCF's `experimental_quantization` section is built by the quantization pipeline (NNCF's experimental
 * builder subclasses its quantization builder: same keys, same solver). The same keys under either name
 * give the same quantizers (ids, configs, initialized ranges), the same outputs and export, the same
 * staged training settings; the error paths are quantization's, plus both sections in one config.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel, exportCompressedModelBytes, QuantizationController } from '../../src/api.js';
import { CompressionError, unbuiltSections } from '../../src/compression/index.js';
import { NNCFConfig, QuantizationRangeInitArgs, validateConfigObject } from '../../src/config/index.js';
import type { Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { trainingSettings } from '../../src/training/index.js';
import { digitsData, loadDigitsCnn } from './digits-cnn.js';

let train: Dataset;
beforeAll(async () => {
  await initBackend('wasm');
  ({ train } = await digitsData());
}, 120_000);

/** Non-default keys of every kind the builder reads: preset, groups, scopes, range init, overrides. */
const SECTION = {
  preset: 'mixed',
  weights: { per_channel: false, bits: 8 },
  activations: { mode: 'asymmetric' },
  ignored_scopes: ['{re}.*fc2.*'],
  scope_overrides: { weights: { '{re}.*conv2.*': { bits: 16 } } },
  initializer: { range: { num_init_samples: 64, type: 'mean_min_max' }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } },
};
const doc = (algorithm: string, extra: object = {}) => ({ input_info: { sample_size: [1, 1, 8, 8] }, compression: { algorithm, ...SECTION, ...extra } });

async function build(algorithm: string) {
  const config = NNCFConfig.fromObject(doc(algorithm));
  config.registerExtraStructs([new QuantizationRangeInitArgs({ dataset: train, batchSize: 32 })]);
  const created = await createCompressedModel(await loadDigitsCnn(), config);
  return { ...created, ctrl: created.controller as QuantizationController };
}

const quantizers = (ctrl: QuantizationController) =>
  ctrl.modules.map((m) => {
    const fq = m.quantizer.fakeQuantizeParams();
    return { id: m.placed.id, levels: fq.levels, low: Array.from(fq.inputLow), high: Array.from(fq.inputHigh) };
  });

describe('experimental_quantization runs the quantization pipeline', () => {
  it('the same keys give the same quantizers, ranges, outputs and export as under quantization', async () => {
    const q = await build('quantization');
    const e = await build('experimental_quantization');
    const live = tf.memory().numTensors;
    const a = quantizers(q.ctrl);
    expect(a.length).toBeGreaterThan(3);
    expect(quantizers(e.ctrl)).toEqual(a);
    // the keys took effect (not the defaults): fc2 ignored, conv2's weights at 16 bits
    expect(a.map((x) => x.id)).not.toContain('fc2/Gemm|WEIGHT');
    expect(a.find((x) => x.id === 'conv2/Conv|WEIGHT')?.levels).toBeGreaterThan(60000);
    expect(a.find((x) => x.id === 'conv1/Conv|WEIGHT')?.levels).toBe(256);
    expect(e.ctrl.statistics().toDict()).toEqual(q.ctrl.statistics().toDict());
    const x = tf.tensor(train.x.data.slice(0, 16 * 64) as Float32Array, [16, 1, 8, 8]);
    const out = (m: typeof q.model) => tf.tidy(() => Array.from(m.engine.run({ [m.graph.inputs[0].name]: x }).logits.dataSync()));
    expect(out(e.model)).toEqual(out(q.model));
    expect(exportCompressedModelBytes(e)).toEqual(exportCompressedModelBytes(q));
    x.dispose();
    expect(tf.memory().numTensors).toBe(live); // the runs left nothing behind
    const vars = q.controller.compressionVariables().length + e.controller.compressionVariables().length;
    for (const r of [q, e]) r.controller.dispose();
    expect(tf.memory().numTensors).toBe(live - vars);
  }, 120_000);

  it('is built, not refused; staged params drive training as quantization\'s do', () => {
    const staged = { params: { activations_quant_start_epoch: 1, weights_quant_start_epoch: 2, lr_poly_drop_start_epoch: 3, base_lr: 0.01 } };
    const e = NNCFConfig.fromObject(doc('experimental_quantization', staged));
    expect(unbuiltSections(e)).toEqual([]);
    expect(e.algorithms.map((s) => s.algorithm)).toEqual(['quantization']);
    expect(e.document.compression).toMatchObject({ algorithm: 'experimental_quantization' }); // the document keeps the name written
    const settings = trainingSettings(e);
    expect(settings.schedule).toEqual(trainingSettings(NNCFConfig.fromObject(doc('quantization', staged))).schedule);
    expect(settings.schedule.kind).toBe('staged');
    expect(e.compressionLrMultiplier('quantization')).toBeUndefined();
    expect(NNCFConfig.fromObject({ ...doc('experimental_quantization'), compression: { algorithm: 'experimental_quantization', compression_lr_multiplier: 3 } }).compressionLrMultiplier('quantization')).toBe(3);
  });

  it('warns about export_to_onnx_standard_ops: false as under quantization', () => {
    const warning = (algorithm: string) => validateConfigObject({ compression: { algorithm, export_to_onnx_standard_ops: false } }).issues.filter((i) => i.severity === 'warning').map((i) => i.message);
    expect(warning('experimental_quantization')).toEqual(warning('quantization'));
    expect(warning('experimental_quantization').join()).toContain('OpenVINO FakeQuantize');
  });
});

describe('error paths', () => {
  it('quantization and experimental_quantization in one config: refused by name before any work', async () => {
    const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, compression: [{ algorithm: 'quantization' }, { algorithm: 'experimental_quantization' }] });
    const err = await createCompressedModel(await loadDigitsCnn(), config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompressionError);
    expect((err as CompressionError).section).toBe('experimental_quantization');
    expect((err as Error).message).toMatch(/^"experimental_quantization" and "quantization" in one config: .* quantized twice; keep one of the two sections$/);
  });

  it('the keys quantization refuses are refused the same way (traces_per_layer_path, HAWQ without its args, range init without data)', async () => {
    const fails = async (extra: object) => {
      const r = await createCompressedModel(await loadDigitsCnn(), NNCFConfig.fromObject(doc('experimental_quantization', extra))).catch((e: unknown) => e as Error);
      const s = await createCompressedModel(await loadDigitsCnn(), NNCFConfig.fromObject(doc('quantization', extra))).catch((e: unknown) => e as Error);
      expect(r).toBeInstanceOf(Error);
      expect((r as Error).message).toBe((s as Error).message);
      return (r as Error).message;
    };
    expect(await fails({ initializer: { precision: { type: 'hawq', traces_per_layer_path: 't.pt' }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } })).toContain('traces_per_layer_path is not supported');
    expect(await fails({ initializer: { precision: { type: 'hawq' }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } })).toMatch(/register QuantizationPrecisionInitArgs/);
    expect(await fails({})).toMatch(/range initialization needs data/);
  });

  it('a key quantization does not have is a schema error under experimental_quantization too', () => {
    const r = validateConfigObject({ compression: { algorithm: 'experimental_quantization', sparsity_init: 0.5 } });
    expect(r.valid).toBe(false);
  });
});
