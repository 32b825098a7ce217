/**
 * A small CNN trained on scikit-learn's digits (8×8, /16) with our engine, cached under .cache so the
 * e2e tests train it once. Conv-BN-ReLU → Conv-ReLU → MaxPool → Conv-ReLU → MaxPool → Gemm-ReLU → Gemm
 * (wide enough that per-channel scales and int32 biases stay small next to the int8 weights).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Dataset, loadData, type NdArray } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import type { Graph } from '../../src/graph/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

export const DIGITS = '.cache/data/digits/digits.csv.gz';
export const DIGITS_CNN = '.cache/test-models/digits-cnn-v3.onnx';

function build(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 3, name: 'digits_cnn' });
  let y = b.input('input', ['N', 1, 8, 8]);
  const conv = (x: string, name: string, cin: number, cout: number) =>
    b.node('Conv', [x, b.randomWeight(`${name}.weight`, [cout, cin, 3, 3], Math.sqrt(2 / (cin * 9))), b.uniform(`${name}.bias`, [cout], -0.01, 0.01)],
      { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] }, { name: `${name}/Conv` });
  y = conv(y, 'conv1', 1, 16);
  y = b.node('BatchNormalization', [y, b.uniform('bn1.scale', [16], 1, 1), b.uniform('bn1.bias', [16], 0, 0), b.uniform('bn1.mean', [16], 0, 0), b.uniform('bn1.var', [16], 1, 1)],
    { epsilon: 1e-5, momentum: 0.9 }, { name: 'bn1/BatchNormalization' });
  y = b.node('Relu', [y], {}, { name: 'relu1/Relu' });
  y = b.node('Relu', [conv(y, 'conv2', 16, 32)], {}, { name: 'relu2/Relu' });
  y = b.node('MaxPool', [y], { kernel_shape: [2, 2], strides: [2, 2] }, { name: 'pool1/MaxPool' });
  y = b.node('Relu', [conv(y, 'conv3', 32, 128)], {}, { name: 'relu3/Relu' });
  y = b.node('MaxPool', [y], { kernel_shape: [2, 2], strides: [2, 2] }, { name: 'pool2/MaxPool' });
  y = b.node('Flatten', [y], { axis: 1 }, { name: 'flatten/Flatten' });
  y = b.node('Gemm', [y, b.randomWeight('fc1.weight', [512, 512], Math.sqrt(2 / 512)), b.uniform('fc1.bias', [512], 0, 0)], { transB: 1 }, { name: 'fc1/Gemm' });
  y = b.node('Relu', [y], {}, { name: 'relu4/Relu' });
  y = b.node('Gemm', [y, b.randomWeight('fc2.weight', [10, 512], Math.sqrt(1 / 512)), b.uniform('fc2.bias', [10], 0, 0)], { transB: 1 }, { name: 'fc2/Gemm', outputs: ['logits'] });
  b.output(y, ['N', 10]);
  return b.toGraph();
}

/** Digits as N×1×8×8 in [0,1] with labels; train = first 1400, test = the other 397. */
export async function digitsData(): Promise<{ train: Dataset; test: Dataset; all: Dataset }> {
  const all = await loadData(DIGITS, { preprocess: { scale: 1 / 16 }, sampleShape: [1, 8, 8] });
  const idx = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
  return { all, train: all.subset(idx(0, 1400)), test: all.subset(idx(1400, all.length)) };
}

export const labelsOf = (d: Dataset): Int32Array => Int32Array.from(d.y!.data as ArrayLike<number | bigint>, Number);

/** The trained model's .onnx path (trains and caches it on first use, ~10 s). */
export async function digitsCnn(): Promise<string> {
  if (existsSync(DIGITS_CNN)) return DIGITS_CNN;
  await initBackend('wasm');
  const graph = build();
  const { train } = await digitsData();
  const engine = new Engine(graph, { seed: 1 });
  const opt = tf.train.adam(0.003);
  const labels = labelsOf(train);
  for (let epoch = 0; epoch < 8; epoch++)
    for (const batch of train.batches(50, { shuffleSeed: epoch })) {
      const x = tf.tensor(batch.x.data as Float32Array, batch.x.shape);
      const y = tf.oneHot(tf.tensor1d(Array.from(batch.indices, (i) => labels[i]), 'int32'), 10);
      opt.minimize(() => tf.losses.softmaxCrossEntropy(y, engine.run({ input: x }, { training: true }).logits) as tf.Scalar, false, engine.trainableVariables());
      tf.dispose([x, y]);
    }
  engine.syncToGraph();
  opt.dispose();
  engine.dispose();
  mkdirSync(dirname(DIGITS_CNN), { recursive: true });
  // temp + rename: test files run in two workers, and another may read the model while this one writes it
  const tmp = `${DIGITS_CNN}.${process.pid}.tmp`;
  writeFileSync(tmp, exportOnnx(graph));
  renameSync(tmp, DIGITS_CNN);
  return DIGITS_CNN;
}

export async function loadDigitsCnn(): Promise<Graph> {
  return loadOnnxModel(await digitsCnn());
}

export const modelBytes = (p: string): Uint8Array => new Uint8Array(readFileSync(p));
export type { NdArray };
