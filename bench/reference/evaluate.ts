/** Top-1 evaluation of a classifier on the engine (eval mode) and on onnxruntime-node. */
import * as tf from '@tensorflow/tfjs-core';
import { gatherRows, type NdArray } from '../../src/data/index.js';
import type { Engine } from '../../src/engine/index.js';
import { OrtSession, argmaxRows, runBatched } from '../../src/runtime/index.js';

export interface Evaluation {
  top1: number;
  predictions: Int32Array;
  seconds: number;
}

function toNumbers(labels: NdArray): Int32Array {
  return Int32Array.from(labels.data as ArrayLike<number>, Number);
}

export function top1(predictions: Int32Array, labels: NdArray): number {
  const y = toNumbers(labels);
  let hit = 0;
  for (let i = 0; i < y.length; i++) if (predictions[i] === y[i]) hit++;
  return hit / y.length;
}

/** Fraction of samples where two prediction vectors agree. */
export function agreement(a: Int32Array, b: Int32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Predictions of the engine in eval mode, `batchSize` samples at a time. */
export function enginePredictions(engine: Engine, x: NdArray<'float32'>, batchSize = 500): Int32Array {
  const input = engine.graph.inputs[0].name;
  const output = engine.graph.outputs[0].name;
  const n = x.shape[0];
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const batch = gatherRows(x, idx);
    const pred = tf.tidy(() => tf.argMax(engine.run({ [input]: tf.tensor(batch.data, batch.shape) })[output], 1));
    out.set(pred.dataSync() as Int32Array, start);
    pred.dispose();
  }
  return out;
}

export function evaluateEngine(engine: Engine, x: NdArray<'float32'>, labels: NdArray): Evaluation {
  const t0 = performance.now();
  const predictions = enginePredictions(engine, x);
  return { top1: top1(predictions, labels), predictions, seconds: (performance.now() - t0) / 1000 };
}

/** `model`: .onnx bytes, a file path or an open session. */
export async function evaluateOrt(model: Uint8Array | string | OrtSession, x: NdArray<'float32'>, labels: NdArray, batchSize = 500): Promise<Evaluation> {
  const t0 = performance.now();
  const session = model instanceof OrtSession ? model : await OrtSession.create(model);
  const logits = (await runBatched(session, x, { batchSize }))[session.outputNames[0]];
  const predictions = argmaxRows(logits);
  return { top1: top1(predictions, labels), predictions, seconds: (performance.now() - t0) / 1000 };
}
