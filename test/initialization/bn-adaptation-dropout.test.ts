/**
 * NNCF's BatchNorm adaptation switches only BatchNorm to training mode: Dropout stays in eval mode.
 * Model: Conv → Dropout(0.5) → BatchNormalization → output. If Dropout were active, BN would see the
 * dropped and ×2-scaled activations and its running statistics would differ from the hand-computed ones.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompressedModel } from '../../src/compression/index.js';
import { Dataset, Random } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { adaptBatchNormOnEngine } from '../../src/initialization/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

const C = 3;
const MOMENTUM = 0.9;

function dropoutNet() {
  const b = new OnnxBuilder({ opset: 13, seed: 5, name: 'bn_dropout' });
  const x = b.input('input', ['N', 2, 4, 4]);
  const conv = b.node('Conv', [x, b.randomWeight('conv.weight', [C, 2, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'conv', outputs: ['conv_out'] });
  const drop = b.node('Dropout', [conv, b.scalar('ratio', 0.5)], {}, { name: 'drop', outputs: ['drop_out'] });
  const bn = b.node(
    'BatchNormalization',
    [drop, b.uniform('bn.scale', [C], 0.8, 1.2), b.uniform('bn.bias', [C], -0.1, 0.1), b.uniform('bn.mean', [C], -0.1, 0.1), b.uniform('bn.var', [C], 0.8, 1.2)],
    { epsilon: 1e-5, momentum: MOMENTUM },
    { name: 'bn', outputs: ['y'] },
  );
  b.output(bn, ['N', C, 4, 4]);
  return b.toGraph();
}

const read = (e: Engine, name: string) => {
  const t = e.getWeight(name);
  const v = Array.from(t.dataSync() as Float32Array);
  t.dispose();
  return v;
};

beforeAll(async () => {
  await initBackend('wasm');
});

describe('BatchNorm adaptation with Dropout in the model (engine bnTraining)', () => {
  const rng = new Random(3);
  const n = 16;
  const data = new Dataset({ dtype: 'float32', shape: [n, 2, 4, 4], data: new Float32Array(n * 32).map(() => rng.normal()) });

  it('Engine.run bnTraining: Dropout passes x through (eval) while BN uses batch statistics and updates its running stats', () => {
    const e = new Engine(dropoutNet());
    const x = tf.tensor(data.x.data as Float32Array, [n, 2, 4, 4]);
    const before = read(e, 'bn.mean');
    const out = e.run({ input: x }, { bnTraining: true, outputs: ['conv_out', 'drop_out', 'y'] });
    expect(Array.from(out.drop_out.dataSync())).toEqual(Array.from(out.conv_out.dataSync()));
    // running mean moved by the ONNX EMA of the (undropped) batch mean
    const conv = out.conv_out.arraySync() as number[][][][];
    const batchMean = Array.from({ length: C }, (_, c) => conv.flatMap((s) => s[c].flat()).reduce((p, v) => p + v, 0) / (n * 16));
    const after = read(e, 'bn.mean');
    after.forEach((v, c) => expect(v).toBeCloseTo(MOMENTUM * before[c] + (1 - MOMENTUM) * batchMean[c], 5));
    // plain eval: nothing moves; train mode: Dropout drops
    const again = e.run({ input: x }, { outputs: ['conv_out', 'drop_out'] });
    expect(read(e, 'bn.mean')).toEqual(after);
    expect(Array.from(again.drop_out.dataSync())).toEqual(Array.from(again.conv_out.dataSync()));
    const train = e.run({ input: x }, { training: true, outputs: ['conv_out', 'drop_out'] });
    const zeros = (train.drop_out.dataSync() as Float32Array).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(n * 48 * 0.3);
    tf.dispose([x, ...Object.values(out), ...Object.values(again), ...Object.values(train)]);
    e.dispose();
  });

  it('adaptBatchNormOnEngine adapts a model with Dropout: running stats equal the hand-computed EMA of the undropped batch statistics', async () => {
    const graph = dropoutNet();
    const model = new CompressedModel(graph, new Engine(graph));
    const fp = new Engine(dropoutNet());
    let mean = read(model.engine, 'bn.mean');
    let variance = read(model.engine, 'bn.var');
    // expected: 2 batches of 8 (ceil(16 / 8)), EMA with momentum 0.9 of the batch mean / biased variance of conv_out
    for (let s = 0; s < n; s += 8) {
      const x = tf.tensor((data.x.data as Float32Array).subarray(s * 32, (s + 8) * 32), [8, 2, 4, 4]);
      const conv = fp.run({ input: x }, { outputs: ['conv_out'] }).conv_out;
      const { mean: m, variance: v } = tf.moments(tf.transpose(conv, [0, 2, 3, 1]), [0, 1, 2]);
      const [bm, bv] = [Array.from(m.dataSync()), Array.from(v.dataSync())];
      mean = mean.map((r, c) => MOMENTUM * r + (1 - MOMENTUM) * bm[c]);
      variance = variance.map((r, c) => MOMENTUM * r + (1 - MOMENTUM) * bv[c]);
      tf.dispose([x, conv, m, v]);
    }
    const r = await adaptBatchNormOnEngine(model, { dataset: data, batchSize: 8 }, 16);
    expect(r).toEqual({ steps: 2, batchNorms: 1 });
    read(model.engine, 'bn.mean').forEach((v, c) => expect(v).toBeCloseTo(mean[c], 5));
    read(model.engine, 'bn.var').forEach((v, c) => expect(v).toBeCloseTo(variance[c], 5));
    expect(read(model.engine, 'bn.mean')).not.toEqual(read(fp, 'bn.mean'));
    model.engine.dispose();
    fp.dispose();
  });
});
