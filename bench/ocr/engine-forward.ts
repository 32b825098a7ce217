/** Forward latency of the PP-OCR classifier through our Graph engine (wasm backend) and its agreement with ORT. */
import * as tf from '@tensorflow/tfjs-core';
import { Engine, initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import { benchmark, OrtSession, type BenchmarkResult } from '../../src/runtime/index.js';
import type { NdArray } from '../../src/data/index.js';
import { firstRows } from './timing.js';

export interface EngineForward {
  timing: BenchmarkResult;
  /** Largest |engine − ORT| over the batch's outputs. */
  maxAbsDiff: number;
}

export async function engineForward(
  model: string,
  x: NdArray<'float32'>,
  batch: number,
  repeats: number,
): Promise<EngineForward> {
  await initBackend('wasm');
  const engine = new Engine(await loadOnnxModel(model));
  const feed = firstRows(x, batch);
  const input = tf.tensor(feed.data, feed.shape);
  const name = engine.graph.inputs[0].name;
  const run = () => tf.tidy(() => Object.values(engine.run({ [name]: input }))[0].dataSync() as Float32Array);
  const ours = run();
  const session = await OrtSession.create(model, { intraOpThreads: 1, interOpThreads: 1 });
  const ref = Object.values(await session.run(feed))[0].data as Float32Array;
  let maxAbsDiff = 0;
  for (let i = 0; i < ref.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ref[i] - ours[i]));
  const timing = await benchmark(run, { warmup: 1, repeats });
  input.dispose();
  engine.dispose();
  return { timing, maxAbsDiff };
}
