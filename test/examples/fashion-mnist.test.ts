/**
 * The bundled Fashion-MNIST example (examples/fashion-mnist): the trained FP32 model, its stratified
 * 1,000-image test sample and its default INT8 config. The model must classify the sample well on the
 * engine and on onnxruntime-node, and the two must agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NNCFConfig } from '../../src/config/index.js';
import { gatherRows, readNpy, type NdArray } from '../../src/data/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import type { Graph } from '../../src/graph/index.js';
import { OrtSession, argmaxRows, runBatched } from '../../src/runtime/index.js';

const DIR = 'examples/fashion-mnist';
const CLASSES = 10;

function enginePredictions(engine: Engine, x: NdArray<'float32'>, batchSize = 250): Int32Array {
  const out = new Int32Array(x.shape[0]);
  for (let start = 0; start < x.shape[0]; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, x.shape[0] - start) }, (_, i) => start + i);
    const batch = gatherRows(x, idx);
    const pred = tf.tidy(() => tf.argMax(engine.run({ input: tf.tensor(batch.data, batch.shape) }).logits, 1));
    out.set(pred.dataSync() as Int32Array, start);
    pred.dispose();
  }
  return out;
}

const fraction = (n: number, pred: (i: number) => boolean) => {
  let k = 0;
  for (let i = 0; i < n; i++) if (pred(i)) k++;
  return k / n;
};

describe('examples/fashion-mnist', () => {
  let bytes: Uint8Array;
  let graph: Graph;
  let images: NdArray<'float32'>;
  let labels: Int32Array;
  let engine: Engine;
  let onEngine: Int32Array;
  let onOrt: Int32Array;

  beforeAll(async () => {
    await initBackend('wasm');
    bytes = readFileSync(join(DIR, 'model.onnx'));
    graph = parseOnnx(bytes);
    const x = await readNpy(join(DIR, 'images.npy'));
    expect(x.dtype).toBe('float32');
    images = x as NdArray<'float32'>;
    const y = await readNpy(join(DIR, 'labels.npy'));
    expect(y.dtype).toBe('int64');
    labels = Int32Array.from(y.data as BigInt64Array, Number);
    engine = new Engine(graph);
    onEngine = enginePredictions(engine, images);
    const session = await OrtSession.create(bytes);
    onOrt = argmaxRows((await runBatched(session, images, { batchSize: 250 }))[session.outputNames[0]]);
  });

  afterAll(() => engine?.dispose());

  it('the sample is 1,000 preprocessed images, stratified: 100 per class', () => {
    expect(images.shape).toEqual([1000, 1, 28, 28]);
    expect(labels.length).toBe(1000);
    const counts = new Array<number>(CLASSES).fill(0);
    for (const c of labels) counts[c]++;
    expect(counts).toEqual(new Array<number>(CLASSES).fill(100));
    // preprocessed: (pixel/255 − 0.2860)/0.3530 spans [−0.810, 2.023]
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of images.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeCloseTo(-0.286 / 0.353, 3);
    expect(hi).toBeCloseTo((1 - 0.286) / 0.353, 3);
  });

  it('the model holds every quantizer-placement pattern and stays under 1 MB of weights', () => {
    const ops = graph.nodes.map((n) => n.opType);
    for (const op of ['Conv', 'BatchNormalization', 'Relu', 'Add', 'MaxPool', 'GlobalAveragePool', 'Gemm']) expect(ops).toContain(op);
    const depthwise = graph.nodes.some((n) => n.opType === 'Conv' && Number(n.attributes.group?.value ?? 1) > 1);
    const strided = graph.nodes.some((n) => n.opType === 'Conv' && (n.attributes.strides?.value as number[] | undefined)?.[0] === 2);
    expect(depthwise && strided).toBe(true);
    expect(graph.inputs[0].shape?.slice(1)).toEqual([1, 28, 28]);
    expect(bytes.length).toBeLessThan(1_000_000);
  });

  it('top-1 on the sample is at least 90% on the engine and on onnxruntime-node', () => {
    const engineTop1 = fraction(labels.length, (i) => onEngine[i] === labels[i]);
    const ortTop1 = fraction(labels.length, (i) => onOrt[i] === labels[i]);
    console.log(`fashion-mnist sample top-1: engine ${(100 * engineTop1).toFixed(1)}%, ORT ${(100 * ortTop1).toFixed(1)}%`);
    expect(engineTop1).toBeGreaterThanOrEqual(0.9);
    expect(ortTop1).toBeGreaterThanOrEqual(0.9);
  });

  it('engine and onnxruntime-node agree on at least 99.9% of the top-1 predictions', () => {
    expect(fraction(labels.length, (i) => onEngine[i] === onOrt[i])).toBeGreaterThanOrEqual(0.999);
  });

  it('int8.json is a valid NNCF quantization config for the model input', () => {
    const config = NNCFConfig.fromFile(join(DIR, 'int8.json'));
    expect(config.inputInfo.map((i) => i.sample_size)).toEqual([[1, 1, 28, 28]]);
    expect(config.algorithms.map((a) => a.algorithm)).toEqual(['quantization']);
    expect(config.algorithm('quantization')?.initializer?.range).toMatchObject({ num_init_samples: 300 });
  });
});
