import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/algorithms/index.js';
import { KnowledgeDistillationController, kdOutputLoss, knowledgeDistillationFactory } from '../../src/algorithms/distillation/index.js';
import { BaseScheduler, CompositeController, CompressionStage, Statistics, createCompressedModel, type CompressionController } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { digits, digitsCnn } from '../training/helpers.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const cfg = (kd: object) => NNCFConfig.fromObject({ input_info: { sample_size: [1, 1, 8, 8] }, compression: [{ algorithm: 'knowledge_distillation', ...kd }] });

/** Hand computation in float64: scale·T²·C·mean(−softmax(t/T)·log_softmax(s/T)). */
function softmaxKd(t: number[][], s: number[][], scale: number, T: number): number {
  let sum = 0;
  const C = t[0].length;
  for (let b = 0; b < t.length; b++) {
    const tm = Math.max(...t[b].map((v) => v / T));
    const te = t[b].map((v) => Math.exp(v / T - tm));
    const tz = te.reduce((a, v) => a + v, 0);
    const sm = Math.max(...s[b].map((v) => v / T));
    const lz = Math.log(s[b].map((v) => Math.exp(v / T - sm)).reduce((a, v) => a + v, 0)) + sm;
    for (let c = 0; c < C; c++) sum += -(te[c] / tz) * (s[b][c] / T - lz);
  }
  return (scale * T * T * C * sum) / (t.length * C);
}

describe('KD losses on fixed tensors', () => {
  it('mse: scale · mean squared difference; outputs with < 2 dims give 0', () => {
    const t = tf.tensor2d([[1, 2], [3, 4]]);
    const s = tf.tensor2d([[0, 2], [3, 6]]);
    expect(kdOutputLoss('mse', t, s, 2).dataSync()[0]).toBeCloseTo(2 * (1 + 0 + 0 + 4) / 4, 6);
    expect(kdOutputLoss('mse', tf.tensor1d([1, 2]), tf.tensor1d([0, 0]), 1).dataSync()[0]).toBe(0);
  });
  it('softmax: T² and class-count factors (T = 1 and T = 3)', () => {
    const tv = [[1, 0.5, -1], [0.2, 0.1, 3]];
    const sv = [[0.3, -0.2, 0.4], [1, -1, 2]];
    const t = tf.tensor2d(tv);
    const s = tf.tensor2d(sv);
    for (const T of [1, 3]) expect(kdOutputLoss('softmax', t, s, 0.7, T).dataSync()[0]).toBeCloseTo(softmaxKd(tv, sv, 0.7, T), 5);
    // 4-D outputs are ignored by the softmax type
    expect(kdOutputLoss('softmax', tf.zeros([1, 2, 2, 2]), tf.ones([1, 2, 2, 2]), 1).dataSync()[0]).toBe(0);
  });
  it('shape mismatch is an error', () => {
    expect(() => kdOutputLoss('mse', tf.zeros([2, 3]), tf.zeros([2, 4]), 1)).toThrow('differ in shape');
  });
});

describe('knowledge_distillation algorithm', () => {
  it('controller.loss() equals the hand-computed loss of student vs teacher outputs (softmax T=2, mse)', async () => {
    const data = (await digits(16)).batches(16).next().value!;
    const x = tf.tensor(data.x.data as Float32Array, data.x.shape);
    for (const kd of [{ type: 'softmax', temperature: 2, scale: 0.5 }, { type: 'mse', scale: 3 }]) {
      const { graph } = digitsCnn();
      const { model, controller } = await createCompressedModel(graph, cfg(kd));
      // move the student away from the teacher
      for (const v of model.trainableVariables()) v.assign(tf.tidy(() => tf.add(v, tf.mul(tf.onesLike(v), 0.05))));
      const s = model.run({ input: x }, { training: true }).logits;
      const loss = controller.loss();
      const teacher = new Engine(digitsCnn().graph);
      const t = teacher.run({ input: x }).logits;
      const tv = t.arraySync() as number[][];
      const sv = s.arraySync() as number[][];
      let expected: number;
      if (kd.type === 'softmax') expected = softmaxKd(tv, sv, 0.5, 2);
      else expected = (3 * tv.flat().reduce((a, v, i) => a + (v - sv.flat()[i]) ** 2, 0)) / tv.flat().length;
      expect(loss.dataSync()[0]).toBeGreaterThan(0);
      expect(loss.dataSync()[0]).toBeCloseTo(expected, 4);
      // consumed: a second loss() without a new train-mode forward is zero, and eval runs are not recorded
      expect(controller.loss().dataSync()[0]).toBe(0);
      tf.dispose(model.run({ input: x }));
      expect(controller.loss().dataSync()[0]).toBe(0);
      expect(controller.compressionStage()).toBe(CompressionStage.FULLY_COMPRESSED);
      expect(controller.compressionVariables()).toEqual([]);
      expect(controller.statistics().toString()).toContain(kd.type);
      tf.dispose([s, loss, t]);
      teacher.dispose();
      controller.dispose();
    }
    x.dispose();
  });

  it('the teacher stays frozen while the student trains, and recordForward works for custom loops', async () => {
    const { graph } = digitsCnn();
    const { model, controller } = await createCompressedModel(graph, cfg({ type: 'mse' }));
    const kd = controller as KnowledgeDistillationController;
    const x = tf.randomUniform([4, 1, 8, 8], 0, 1, 'float32', 5);
    const before = kd.teacher.run({ input: x }).logits.dataSync().slice();
    const opt = tf.train.sgd(0.5);
    for (let i = 0; i < 3; i++)
      tf.dispose(opt.minimize(() => tf.add(tf.mean(model.run({ input: x }, { training: true }).logits), controller.loss()) as tf.Scalar, true, model.trainableVariables()) ?? []);
    const after = kd.teacher.run({ input: x }).logits.dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    const out = model.run({ input: x });
    kd.recordForward({ input: x }, out);
    expect(controller.loss().dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([x, out.logits]);
    opt.dispose();
    controller.dispose();
  });

  it('combines with other algorithms in a composite (losses add, stages combine)', async () => {
    const { graph } = digitsCnn();
    const { model, controller: kd } = await createCompressedModel(graph, cfg({ type: 'softmax' }));
    const other: CompressionController = {
      name: 'quantization', scheduler: new BaseScheduler(), loss: () => tf.scalar(0.25), statistics: () => new Statistics('quantization', {}),
      compressionStage: () => CompressionStage.PARTIALLY_COMPRESSED, disableScheduler() {}, prepareForExport() {}, editExportGraph() {},
      compressionVariables: () => [], getState: () => ({ scheduler_state: { current_step: -1, current_epoch: -1 }, compression_stage: 1 }), loadState() {}, dispose() {},
    };
    const composite = new CompositeController([other, kd]);
    const x = tf.randomUniform([3, 1, 8, 8], 0, 1, 'float32', 9);
    for (const v of model.trainableVariables()) v.assign(tf.tidy(() => tf.mul(v, 1.1)));
    const s = model.run({ input: x }, { training: true });
    const total = composite.loss().dataSync()[0];
    model.run({ input: x }, { training: true });
    const kdOnly = kd.loss().dataSync()[0];
    expect(total).toBeCloseTo(0.25 + kdOnly, 5);
    expect(kdOnly).toBeGreaterThan(0);
    expect(composite.compressionStage()).toBe(CompressionStage.PARTIALLY_COMPRESSED);
    tf.dispose([x, s.logits]);
    composite.dispose();
  });

  it('config errors: temperature with mse, bad scale, wrong section', () => {
    const mk = (s: object) => () => knowledgeDistillationFactory({ algorithm: 'knowledge_distillation', scale: 1, ...s } as never);
    expect(mk({ type: 'mse', temperature: 2 })).toThrow('"temperature" is only used by type "softmax"');
    expect(mk({ type: 'kl' })).toThrow('unknown type "kl"');
    expect(mk({ type: 'mse', scale: -1 })).toThrow('scale must be a non-negative number');
    expect(mk({ type: 'softmax', temperature: 0 })).toThrow('temperature must be a positive number');
    expect(() => knowledgeDistillationFactory({ algorithm: 'quantization' } as never)).toThrow('cannot build from a "quantization" section');
    expect(() => cfg({ type: 'mse', temperature: 2 })).toThrow(/temperature/);
  });
});
