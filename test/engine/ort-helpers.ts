import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { Engine } from '../../src/engine/index.js';
import type { Graph } from '../../src/graph/index.js';
import { seededRandom } from '../helpers/onnx-builder.js';

export interface Feed {
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array;
  dtype?: 'float32' | 'int64' | 'int32' | 'bool';
}

/** Runs bytes on onnxruntime-node (1 thread, deterministic) and returns every requested output as Float32Array. */
export async function runOrt(bytes: Uint8Array, feeds: Record<string, Feed>, outputs?: string[]): Promise<Record<string, { dims: number[]; data: Float64Array }>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, f] of Object.entries(feeds)) {
    const type = f.dtype === 'int64' ? 'int64' : f.dtype === 'int32' ? 'int32' : f.dtype === 'bool' ? 'bool' : 'float32';
    const data = type === 'int64' && !(f.data instanceof BigInt64Array) ? BigInt64Array.from(f.data as Int32Array, (v) => BigInt(v)) : f.data;
    ortFeeds[k] = new ort.Tensor(type, data as Float32Array, f.dims);
  }
  const res = await session.run(ortFeeds, outputs ?? session.outputNames);
  const out: Record<string, { dims: number[]; data: Float64Array }> = {};
  for (const [k, t] of Object.entries(res)) out[k] = { dims: [...t.dims], data: Float64Array.from(t.data as ArrayLike<number | bigint>, Number) };
  await session.release();
  return out;
}

/** Runs the engine and returns outputs as plain arrays (disposing every tensor it made). */
export function runEngine(engine: Engine, feeds: Record<string, Feed>, outputs?: string[], training = false): Record<string, { dims: number[]; data: Float64Array }> {
  const tfFeeds: Record<string, tf.Tensor> = {};
  for (const [k, f] of Object.entries(feeds)) {
    const isInt = f.dtype === 'int64' || f.dtype === 'int32';
    tfFeeds[k] = isInt ? tf.tensor(Int32Array.from(f.data as ArrayLike<number | bigint>, Number), f.dims, 'int32') : tf.tensor(f.data as Float32Array, f.dims, f.dtype === 'bool' ? 'bool' : 'float32');
  }
  const res = engine.run(tfFeeds, { outputs, training });
  const out: Record<string, { dims: number[]; data: Float64Array }> = {};
  for (const [k, t] of Object.entries(res)) out[k] = { dims: t.shape, data: Float64Array.from(t.dataSync() as ArrayLike<number>) };
  tf.dispose([...Object.values(tfFeeds), ...Object.values(res)]);
  return out;
}

/** max |a-b| and whether every element satisfies |a-b| <= atol + rtol*|b|. */
export function compare(a: ArrayLike<number>, b: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): { maxAbs: number; ok: boolean } {
  let maxAbs = 0;
  let ok = a.length === b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) ok = false;
    if (!(d <= atol + rtol * Math.abs(b[i])) && !(Number.isNaN(a[i]) && Number.isNaN(b[i])) && a[i] !== b[i]) ok = false;
    if (d > maxAbs) maxAbs = d;
  }
  return { maxAbs, ok };
}

export function randomFeed(dims: number[], seed: number, lo = -1, hi = 1): Feed {
  const rnd = seededRandom(seed);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = lo + rnd() * (hi - lo);
  return { dims, data };
}

export function engineFor(graph: Graph): Engine {
  return new Engine(graph);
}
