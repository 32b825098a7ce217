import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel, exportCompressedModelBytes } from '../../src/api.js';
import { CompressionStage } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import type { Dataset } from '../../src/data/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { initBackend } from '../../src/engine/index.js';
import { OrtSession } from '../../src/runtime/index.js';
import { Trainer, correctCount, softmaxCrossEntropy, trainingSettings } from '../../src/training/index.js';
import { digits, digitsCnn } from './helpers.js';

let train: Dataset;
let val: Dataset;
beforeAll(async () => {
  await initBackend('wasm');
  ({ train, val } = (await digits()).split(0.25, { seed: 3 }));
});

function accuracy(model: { run: (f: Record<string, tf.Tensor>) => Record<string, tf.Tensor> }): number {
  let c = 0;
  for (const b of val.batches(256)) {
    const x = tf.tensor(b.x.data as Float32Array, b.x.shape);
    const y = tf.tensor(b.y!.data as Int32Array, b.y!.shape, 'int32');
    const o = model.run({ input: x });
    c += correctCount(o.logits, y);
    tf.dispose([x, y, o.logits]);
  }
  return c / val.length;
}

async function fit(graph: Graph, cfg: object) {
  const config = NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, ...cfg });
  const r = await createCompressedModel(graph, config, { initDataset: train });
  const before = accuracy(r.model);
  const t = new Trainer({ model: r.model, controller: r.controller, train, settings: trainingSettings(config), config, loss: (o, y) => softmaxCrossEntropy(o.logits, y!) });
  const history = await t.fit();
  t.dispose();
  return { r, before, after: accuracy(r.model), history };
}

async function ortAccuracy(bytes: Uint8Array): Promise<number> {
  const s = await OrtSession.create(bytes);
  let c = 0;
  for (const b of val.batches(256)) {
    const l = (await s.run({ input: { dtype: 'float32', shape: b.x.shape, data: b.x.data } })).logits.data as Float32Array;
    b.indices.forEach((_, i) => {
      const row = Array.from(l.subarray(i * 10, i * 10 + 10));
      if (row.indexOf(Math.max(...row)) === (b.y!.data as Int32Array)[i]) c++;
    });
  }
  await s.release();
  return c / val.length;
}

describe('QAT on the sklearn-digits CNN (issue 6 acceptance)', () => {
  it('INT8 QAT ≥ FP32 − 0.3 %, above PTQ of the same config; QDQ export on onnxruntime within 0.2 %; QAT+KD runs as a composite', async () => {
    const { graph } = digitsCnn({ channels: 8 });
    const fp = await fit(graph, { batch_size: 32, epochs: 12, seed: 1, optimizer: { type: 'sgd', base_lr: 0.05, optimizer_params: { momentum: 0.9, nesterov: true }, weight_decay: 1e-4, schedule_type: 'multistep', steps: [8] } });
    fp.r.model.engine.syncToGraph(); // the trained FP32 weights become the model to compress (and the KD teacher)
    const q = { algorithm: 'quantization', export_to_onnx_standard_ops: true, initializer: { range: { num_init_samples: 256 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } };
    const opt = { batch_size: 32, epochs: 3, seed: 2, optimizer: { type: 'adam', base_lr: 1e-4, weight_decay: 0 } };
    const qat = await fit(graph, { ...opt, compression: [q] });
    const ort = await ortAccuracy(exportCompressedModelBytes(qat.r));
    console.log(`digits val (${val.length}): FP32 ${fp.after.toFixed(4)}, PTQ ${qat.before.toFixed(4)}, QAT ${qat.after.toFixed(4)}, QDQ on ORT ${ort.toFixed(4)}`);
    expect(fp.after).toBeGreaterThan(0.95);
    expect(qat.after).toBeGreaterThanOrEqual(fp.after - 0.003);
    expect(qat.after).toBeGreaterThan(qat.before);
    expect(Math.abs(ort - qat.after)).toBeLessThanOrEqual(0.002);
    const kd = await fit(graph, { ...opt, epochs: 1, compression: [q, { algorithm: 'knowledge_distillation', type: 'softmax', temperature: 2 }] });
    console.log(`QAT+KD 1 epoch: ${kd.after.toFixed(4)}, mean KD loss ${kd.history[0].compressionLoss.toFixed(4)}`);
    expect(kd.r.controller.compressionStage()).toBe(CompressionStage.FULLY_COMPRESSED);
    expect(kd.history[0].compressionLoss).toBeGreaterThan(0);
    expect(kd.after).toBeGreaterThanOrEqual(fp.after - 0.01);
    [fp, qat, kd].forEach((r) => r.r.controller.dispose());
  });
});
