/**
 * The acceptance run on the Fashion-MNIST reference model (examples/fashion-mnist): its int8.json
 * (default quantization, range init and BN adaptation on the bundled 1,000 images) with QDQ export,
 * evaluated on the full 10,000-image test set on onnxruntime-node.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parse as parseJsonc } from 'jsonc-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel, exportCompressedModelBytes, QuantizationController } from '../../src/api.js';
import { NNCFConfig } from '../../src/config/index.js';
import { loadData, type Dataset } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { argmaxRows, countOpTypes, OrtSession, saveOptimizedModel, top1Accuracy } from '../../src/runtime/index.js';

const DIR = 'examples/fashion-mnist';
const MODEL = `${DIR}/model.onnx`;
const TEST = '.cache/data/fashion-mnist/t10k-images-idx3-ubyte.gz';
const have = existsSync(MODEL) && existsSync(`${DIR}/images.npy`) && existsSync(TEST);
const tmp = mkdtempSync(join(tmpdir(), 'nncf-fashion-'));
const labels = (d: Dataset) => Int32Array.from(d.y!.data as ArrayLike<number | bigint>, Number);

describe.skipIf(!have)('PTQ INT8 of the Fashion-MNIST reference CNN (int8.json, QDQ export)', () => {
  const m: Record<string, number> = {};
  let int8Path: string;
  let int8Pred: Int32Array;
  let simPred: Int32Array;
  let ctrl: QuantizationController;

  beforeAll(async () => {
    await initBackend('wasm');
    const base = parseJsonc(readFileSync(`${DIR}/int8.json`, 'utf8')) as { compression: object };
    const config = NNCFConfig.fromObject({ ...base, compression: { ...base.compression, export_to_onnx_standard_ops: true } });
    const calib = await loadData(`${DIR}/images.npy`, { sampleShape: [1, 28, 28] });
    const test = await loadData(TEST, { sampleShape: [1, 28, 28], preprocess: { scale: 1 / 255, mean: [0.286], std: [0.353] } });
    const r = await createCompressedModel(await loadOnnxModel(MODEL), config, { initDataset: calib });
    ctrl = r.controller as QuantizationController;
    int8Path = join(tmp, 'int8.onnx');
    writeFileSync(int8Path, exportCompressedModelBytes(r));
    const fp = await OrtSession.create(MODEL);
    const q = await OrtSession.create(int8Path);
    m.fp32 = (await top1Accuracy(fp, test.x, labels(test))).accuracy;
    const qr = await top1Accuracy(q, test.x, labels(test));
    m.int8 = qr.accuracy;
    int8Pred = qr.predictions;
    await Promise.all([fp.release(), q.release()]);
    // our simulated quantized model (engine) on the first 2,000 test images
    const n = 2000;
    simPred = new Int32Array(n);
    for (let s = 0; s < n; s += 250) {
      const x = tf.tensor((test.x.data as Float32Array).subarray(s * 784, (s + 250) * 784), [250, 1, 28, 28]);
      const y = r.model.run({ input: x }).logits;
      simPred.set(argmaxRows({ dtype: 'float32', shape: y.shape, data: y.dataSync() as Float32Array }), s);
      tf.dispose([x, y]);
    }
    r.controller.dispose();
  }, 240_000);

  it('INT8 top-1 on the 10,000 test images within 0.5% of FP32', () => {
    expect(m.fp32).toBeGreaterThan(0.85);
    expect(m.int8).toBeGreaterThanOrEqual(m.fp32 - 0.005);
    expect(ctrl.bnAdaptationSteps).toBe(Math.ceil(300 / 32));
  });

  it('simulated model (engine) and exported model (ORT) agree on >= 99.5% of top-1 predictions', () => {
    let same = 0;
    for (let i = 0; i < simPred.length; i++) if (simPred[i] === int8Pred[i]) same++;
    expect(same / simPred.length).toBeGreaterThanOrEqual(0.995);
  });

  it('file size <= 0.27x FP32 (int8 weights; scales, int32 biases and Q/DQ nodes add ~15 KB)', () => {
    const ratio = statSync(int8Path).size / statSync(MODEL).size;
    console.info(`Fashion CNN INT8/FP32 file size ${ratio.toFixed(4)} (${statSync(int8Path).size} / ${statSync(MODEL).size} bytes)`);
    expect(ratio).toBeLessThanOrEqual(0.27);
  });

  const integerKernels = async (path: string) => {
    const opt = `${path}.opt.onnx`;
    await saveOptimizedModel(path, opt);
    const ops = await countOpTypes(opt);
    return ['QLinearConv', 'com.microsoft:QGemm', 'ConvInteger', 'MatMulInteger', 'QLinearMatMul'].reduce((a, k) => a + (ops.get(k) ?? 0), 0);
  };

  it("ORT's optimized graph: int8.json (per-tensor activations) turns every Conv/Gemm into an integer kernel; so does the plain default (per-tensor activations for ORT), keeping accuracy", async () => {
    const fpOps = await countOpTypes(MODEL);
    const total = (fpOps.get('Conv') ?? 0) + (fpOps.get('Gemm') ?? 0);
    expect(total).toBe(8);
    expect(ctrl.modules.find((x) => x.placed.id === 'down/Relu|OUTPUT')?.placed.perChannel).toBe(false);
    expect(await integerKernels(int8Path)).toBe(total);
    // NNCF's plain default (only export_to_onnx_standard_ops set: range init on 256 samples, BN adaptation
    // over the whole 1,000-image loader, activations.per_channel unset). NNCF's HW config would give the
    // depthwise conv's input a per-channel quantizer (q8_a_ch first), which ORT's QLinearConv cannot take
    // (`down` and `dw` stayed float); for a QDQ export on CPU/ANY placement makes it per-tensor, so every
    // Conv/Gemm is integer here too. Accuracy holds as well.
    const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 28, 28] }, compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true } });
    const r = await createCompressedModel(await loadOnnxModel(MODEL), config, { initDataset: await loadData(`${DIR}/images.npy`, { sampleShape: [1, 28, 28] }) });
    const path = join(tmp, 'int8-default.onnx');
    writeFileSync(path, exportCompressedModelBytes(r));
    const c = r.controller as QuantizationController;
    const perChannel = c.modules.find((x) => x.placed.id === 'down/Relu|OUTPUT')?.placed.perChannel;
    expect(c.bnAdaptationSteps).toBe(Math.ceil(1000 / 32)); // 2,000 samples asked, one pass over the 1,000 given
    r.controller.dispose();
    expect(perChannel).toBe(false);
    expect(await integerKernels(path)).toBe(total);
    const test = await loadData(TEST, { sampleShape: [1, 28, 28], preprocess: { scale: 1 / 255, mean: [0.286], std: [0.353] } });
    const q = await OrtSession.create(path);
    const acc = (await top1Accuracy(q, test.x, labels(test))).accuracy;
    await q.release();
    console.info(`Fashion CNN top-1 on 10,000: FP32 ${(100 * m.fp32).toFixed(2)}%, INT8 int8.json ${(100 * m.int8).toFixed(2)}%, INT8 plain default ${(100 * acc).toFixed(2)}%`);
    expect(acc).toBeGreaterThanOrEqual(m.fp32 - 0.005);
  }, 120_000);
});
