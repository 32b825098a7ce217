/**
 * Post-training INT8 quantization end to end on a CNN trained on sklearn digits (until the
 * Fashion-MNIST reference model lands): default config → QDQ export → onnxruntime-node.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel, exportCompressedModelBytes, QuantizationController } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { initBackend } from '../../src/engine/index.js';
import { argmaxRows, countOpTypes, OrtSession, saveOptimizedModel, top1Accuracy } from '../../src/runtime/index.js';
import { digitsCnn, digitsData, labelsOf, loadDigitsCnn } from './digits-cnn.js';

const dir = mkdtempSync(join(tmpdir(), 'nncf-e2e-'));
const config = () =>
  NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true } });

describe('PTQ INT8 on the digits CNN (default config, QDQ export)', () => {
  let fp32Path: string;
  let int8Path: string;
  let trainSamples: number;
  let fp32Acc: number;
  let int8Acc: number;
  let int8Pred: Int32Array;
  let simulatedPred: Int32Array;
  let ctrl: QuantizationController;

  beforeAll(async () => {
    await initBackend('wasm');
    fp32Path = await digitsCnn();
    const { train, test } = await digitsData();
    trainSamples = train.length;
    const r = await createCompressedModel(await loadDigitsCnn(), config(), { initDataset: train });
    ctrl = r.controller as QuantizationController;
    int8Path = join(dir, 'int8.onnx');
    writeFileSync(int8Path, exportCompressedModelBytes(r));
    const fp = await OrtSession.create(fp32Path);
    const q = await OrtSession.create(int8Path);
    fp32Acc = (await top1Accuracy(fp, test.x, labelsOf(test))).accuracy;
    ({ accuracy: int8Acc, predictions: int8Pred } = await top1Accuracy(q, test.x, labelsOf(test)));
    await Promise.all([fp.release(), q.release()]);
    const logits = tf.tidy(() => r.model.run({ input: tf.tensor(test.x.data as Float32Array, test.x.shape) }).logits);
    simulatedPred = argmaxRows({ dtype: 'float32', shape: logits.shape, data: logits.dataSync() as Float32Array });
    logits.dispose();
  }, 120_000);

  it('places, initializes and adapts as NNCF does by default', () => {
    expect(ctrl.modules.filter((m) => m.placed.kind === 'weight')).toHaveLength(5);
    expect(ctrl.rangeInit).toEqual({ initialized: ctrl.modules.length, backend: 'ort' });
    // default num_bn_adaptation_samples (2000), batch 32; a shorter loader is run once, as NNCF does
    expect(ctrl.bnAdaptationSteps).toBe(Math.min(Math.ceil(2000 / 32), Math.ceil(trainSamples / 32)));
    // Activations after ReLU are unsigned (signedness from statistics), weights forced signed.
    const relu = ctrl.modules.find((m) => m.placed.id === 'relu1/Relu|OUTPUT')!;
    expect(relu.quantizer.signed).toBe(false);
    expect(ctrl.modules.filter((m) => m.placed.kind === 'weight').every((m) => m.quantizer.signed)).toBe(true);
  });

  it('INT8 top-1 within 0.5% of FP32', () => {
    expect(fp32Acc).toBeGreaterThan(0.94);
    expect(int8Acc).toBeGreaterThanOrEqual(fp32Acc - 0.005);
  });

  it('simulated (engine) and exported (ORT) models agree on >= 99.5% of predictions', () => {
    let same = 0;
    for (let i = 0; i < int8Pred.length; i++) if (int8Pred[i] === simulatedPred[i]) same++;
    expect(same / int8Pred.length).toBeGreaterThanOrEqual(0.995);
  });

  it('file is <= 0.27x the FP32 file', () => {
    expect(statSync(int8Path).size / statSync(fp32Path).size).toBeLessThanOrEqual(0.27);
  });

  it("ORT's optimized graph runs every Conv/Gemm as an integer kernel", async () => {
    const fpOps = await countOpTypes(readFileSync(fp32Path));
    const opt = join(dir, 'int8.opt.onnx');
    await saveOptimizedModel(int8Path, opt);
    const ops = await countOpTypes(opt);
    const integer = (ops.get('QLinearConv') ?? 0) + (ops.get('com.microsoft:QGemm') ?? 0) + (ops.get('ConvInteger') ?? 0) + (ops.get('MatMulInteger') ?? 0) + (ops.get('QLinearMatMul') ?? 0);
    expect(fpOps.get('Conv')).toBe(3);
    expect(fpOps.get('Gemm')).toBe(2);
    expect(ops.get('QLinearConv')).toBe(3);
    expect(integer).toBe(5);
    for (const float of ['Conv', 'Gemm', 'MatMul', 'com.microsoft:FusedConv', 'com.microsoft:FusedGemm', 'com.microsoft:FusedMatMul']) expect(ops.get(float) ?? 0).toBe(0);
  });
});
