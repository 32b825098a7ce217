/**
 * How much NNCF's default quantization config (range init + BatchNorm adaptation) moves the PP-OCR
 * direction classifier on rendered lines, per calibration set: INT8 argmax agreement with FP32 on an
 * evaluation set, simulated on the engine and exported as QDQ on onnxruntime-node, and the same with BN adaptation alone (no quantizers, FP32
 * model adapted by the engine) — which shows what BN adaptation on rendered data costs by itself.
 *
 *   npm run bench:ocr-default-config -- [--calib 128:20241,128:20242,128:20243,128:20244,1000:20241]
 *                                        [--eval 1000:20240]
 *
 * Sets are LINES:SEED (each line upright + rotated, so 2·LINES samples), cached under
 * .cache/data/ocr-direction-e2e/ like the e2e test's.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { cachedDirectionSet, type DirectionSet } from './direction-set.js';
import { createCompressedModel, exportCompressedModelBytes } from '../../src/api.js';
import type { CompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { argmaxRows, OrtSession } from '../../src/runtime/index.js';

const OCR_CLS = '.cache/data/ocr-models/ch_ppocr_mobile_v2.0_cls_infer.onnx';
const CACHE = '.cache/data/ocr-direction-e2e';
const PER = 3 * 48 * 192;
const BATCH = 32;

const { values: args } = parseArgs({
  options: {
    calib: { type: 'string', default: '128:20241,128:20242,128:20243,128:20244,1000:20241' },
    eval: { type: 'string', default: '1000:20240' },
  },
});

const parseSet = (s: string) => {
  const [lines, seed] = s.split(':').map(Number);
  if (!Number.isInteger(lines) || !Number.isInteger(seed)) throw new Error(`a set is LINES:SEED, got "${s}"`);
  return { lines, seed };
};

const cachedSet = (lines: number, seed: number): Promise<DirectionSet> => cachedDirectionSet(CACHE, lines, seed);

/** Argmax of the first output over the set, 50 samples at a time. */
function predict(run: (x: tf.Tensor) => tf.Tensor, set: DirectionSet): Int32Array {
  const n = set.x.shape[0];
  const pred = new Int32Array(n);
  for (let b = 0; b < n; b += 50) {
    const m = Math.min(50, n - b);
    const idx = tf.tidy(() => tf.argMax(run(tf.tensor(set.x.data.subarray(b * PER, (b + m) * PER), [m, 3, 48, 192])), 1));
    pred.set(idx.dataSync() as Int32Array, b);
    idx.dispose();
  }
  return pred;
}

const agreement = (a: Int32Array, b: Int32Array) => a.reduce((k, v, i) => k + (v === b[i] ? 1 : 0), 0) / a.length;
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

await initBackend('wasm');
const ev = parseSet(String(args.eval));
const evalSet = await cachedSet(ev.lines, ev.seed);
const ort = await OrtSession.create(OCR_CLS);
const fp32 = argmaxRows(Object.values(await ort.run(evalSet.x))[0]);
await ort.release();
const inputName = (await loadOnnxModel(OCR_CLS)).inputs[0].name;
console.log(`evaluation set ${ev.lines}:${ev.seed} (${fp32.length} samples); BN adaptation batches of ${BATCH}`);
console.log('calibration  samples  BN steps  INT8 default config (engine)  INT8 QDQ on ORT  FP32 + BN adaptation only');
for (const c of String(args.calib).split(',').map(parseSet)) {
  const calib = await cachedSet(c.lines, c.seed);
  const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 3, 48, 192] }, compression: { algorithm: 'quantization', export_to_onnx_standard_ops: true } });
  const r = await createCompressedModel(await loadOnnxModel(OCR_CLS), config, { initDataset: new Dataset(calib.x) });
  const model = r.model as CompressedModel;
  const int8 = agreement(predict((x) => Object.values(model.run({ [inputName]: x }))[0], evalSet), fp32);
  const steps = (r.controller as { bnAdaptationSteps?: number }).bnAdaptationSteps ?? 0;
  const qdq = await OrtSession.create(exportCompressedModelBytes(r));
  const onOrt = agreement(argmaxRows(Object.values(await qdq.run(evalSet.x))[0]), fp32);
  await qdq.release();
  r.controller.dispose();
  // the same number of BN-train passes over the same batches, on the plain FP32 model
  const engine = new Engine(await loadOnnxModel(OCR_CLS));
  for (let s = 0; s < steps; s++) {
    const from = s * BATCH;
    const m = Math.min(BATCH, calib.x.shape[0] - from);
    tf.tidy(() => {
      engine.run({ [inputName]: tf.tensor(calib.x.data.subarray(from * PER, (from + m) * PER), [m, 3, 48, 192]) }, { bnTraining: true });
    });
  }
  const bnOnly = agreement(predict((x) => Object.values(engine.run({ [inputName]: x }))[0], evalSet), fp32);
  engine.dispose();
  console.log(`${`${c.lines}:${c.seed}`.padEnd(11)}  ${String(calib.x.shape[0]).padStart(7)}  ${String(steps).padStart(8)}  ${pct(int8).padStart(28)}  ${pct(onOrt).padStart(15)}  ${pct(bnOnly).padStart(25)}`);
}
