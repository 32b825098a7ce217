/**
 * Issue 11: a HAWQ-chosen 4/8-bit Fashion-MNIST CNN exported as QDQ (packed INT4 weights, opset 21) runs on
 * onnxruntime-node with the top-1 of the simulated model (fake quantizers on the tfjs engine), measured on the
 * full 10,000-image test set. HAWQ assigns widths to weights AND activations (NNCF's bit complexity uses
 * max(weight, activation) bits, so a ratio above 1 needs 4-bit activations); the ratio sets how many layers go
 * 4-bit. PTQ only (range init + BN adaptation on training images), no fine-tuning.
 *
 *   npm run bench:hawq-ort -- [--ratios 1.1,1.5] [--calib 1000] [--limit 10000] [--json]
 *
 * Prints per ratio: bits chosen, FP32 / simulated / ORT top-1, the ORT − simulated gap and argmax agreement.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createCompressedModel, exportCompressedModelBytes, type QuantizationController } from '../src/api.js';
import { NNCFConfig, QuantizationPrecisionInitArgs } from '../src/config/index.js';
import type { Dataset } from '../src/data/index.js';
import { initBackend } from '../src/engine/index.js';
import { loadOnnxModel, parseOnnx } from '../src/frontends/onnx/index.js';
import { defaultHessianCriterion } from '../src/initialization/index.js';
import { argmaxRows, OrtSession } from '../src/runtime/index.js';
import { loadFashion } from './reference/fashion-data.js';

const { values: args } = parseArgs({
  options: {
    ratios: { type: 'string', default: '1.1,1.5' },
    calib: { type: 'string', default: '1000' },
    limit: { type: 'string', default: '10000' },
    model: { type: 'string', default: 'examples/fashion-mnist/model.onnx' },
    json: { type: 'boolean', default: false },
  },
});

const PIXELS = 784;
const BATCH = 500;

/** Top-1 predictions of a tfjs-engine model over the whole set, BATCH images at a time. */
function simulatedPredictions(run: (x: tf.Tensor) => tf.Tensor, x: Float32Array, n: number): Int32Array {
  const pred = new Int32Array(n);
  for (let s = 0; s < n; s += BATCH) {
    const m = Math.min(BATCH, n - s);
    const idx = tf.tidy(() => tf.argMax(run(tf.tensor(x.subarray(s * PIXELS, (s + m) * PIXELS), [m, 1, 28, 28])), 1));
    pred.set(idx.dataSync() as Int32Array, s);
    idx.dispose();
  }
  return pred;
}

async function ortPredictions(model: Uint8Array | string, test: Dataset): Promise<Int32Array> {
  const s = await OrtSession.create(model, { intraOpThreads: 1 });
  try {
    const out = new Int32Array(test.length);
    const data = test.x.data as Float32Array;
    for (let b = 0; b < test.length; b += BATCH) {
      const m = Math.min(BATCH, test.length - b);
      const y = await s.run({ dtype: 'float32', shape: [m, 1, 28, 28], data: data.subarray(b * PIXELS, (b + m) * PIXELS) });
      out.set(argmaxRows(y[s.outputNames[0]]), b);
    }
    return out;
  } finally {
    await s.release();
  }
}

const share = (a: Int32Array, b: ArrayLike<number>) => a.reduce((n, p, i) => n + (p === b[i] ? 1 : 0), 0) / a.length;

await initBackend('wasm');
const test = (await loadFashion('t10k')).take(Number(args.limit));
const calib = (await loadFashion('train')).take(Number(args.calib));
const labels = test.labelIds();
const fp32 = share(await ortPredictions(args.model, test), labels);

const rows = [];
for (const ratio of args.ratios.split(',').map(Number)) {
  const config = NNCFConfig.fromObject({
    input_info: { sample_size: [1, 1, 28, 28] },
    target_device: 'NPU',
    compression: {
      algorithm: 'quantization',
      initializer: {
        range: { num_init_samples: 300 },
        batchnorm_adaptation: { num_bn_adaptation_samples: 300 },
        precision: { type: 'hawq', bits: [4, 8], num_data_points: 64, iter_number: 20, compression_ratio: ratio },
      },
    },
  });
  config.registerExtraStructs([new QuantizationPrecisionInitArgs(null, defaultHessianCriterion, { dataset: calib, batchSize: 32 })]);
  const started = Date.now();
  const r = await createCompressedModel(await loadOnnxModel(args.model), config, { initDataset: calib });
  const ptqSeconds = (Date.now() - started) / 1000;
  const ctrl = r.controller as QuantizationController;
  const bits = (kind: string) => ctrl.modules.filter((m) => m.placed.kind === kind).map((m) => m.placed.bits);
  const bytes = exportCompressedModelBytes(r);
  const g = parseOnnx(bytes);
  const int4 = g.nodes.filter((n) => n.opType === 'DequantizeLinear' && ['int4', 'uint4'].includes(g.initializers.get(n.inputs[0])?.dtype ?? '')).length;
  const name = r.model.graph.inputs[0].name;
  const sim = simulatedPredictions((x) => Object.values(r.model.run({ [name]: x }))[0], test.x.data as Float32Array, test.length);
  const ort = await ortPredictions(bytes, test);
  r.controller.dispose();
  rows.push({
    ratio,
    weightBits: bits('weight'),
    activationBits: bits('activation'),
    int4Weights: int4,
    opset: g.opsets.get(''),
    fp32,
    simulated: share(sim, labels),
    ort: share(ort, labels),
    agreement: share(ort, sim),
    ptqSeconds,
  });
}

if (args.json) console.log(JSON.stringify({ samples: test.length, calib: calib.length, rows }));
else {
  console.log(`HAWQ 4/8 (NPU, PTQ, calibration ${calib.length} training images) on ${test.length} Fashion-MNIST test images; FP32 on ORT ${(100 * fp32).toFixed(2)} %`);
  console.log('| ratio | weight bits | activation bits | INT4 DQ | simulated top-1 | ORT top-1 | ORT − simulated | argmax agreement | PTQ s |');
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.ratio} | ${r.weightBits.join(',')} | ${r.activationBits.join(',')} | ${r.int4Weights} | ${(100 * r.simulated).toFixed(2)} % | ${(100 * r.ort).toFixed(2)} % | ` +
      `${(100 * (r.ort - r.simulated)).toFixed(2)} pt | ${(100 * r.agreement).toFixed(2)} % | ${r.ptqSeconds.toFixed(0)} |`);
}
