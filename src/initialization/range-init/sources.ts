/**
 * Intermediate tensors of the FP model, batch by batch, for range statistics. Fast path: onnxruntime-node
 * with the tensors exposed as extra graph outputs. Fallback: our engine (`model.run` with the tensors as
 * outputs; the caller keeps quantizers disabled, as NNCF's init stage does). Both yield ONNX layout.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../../compression/index.js';
import type { Graph } from '../../graph/index.js';
import { OrtSession } from '../../runtime/index.js';
import { initBatches, type InitDataLoader } from '../init-data.js';

export interface TensorData {
  data: Float32Array;
  shape: number[];
}

export type TensorBatch = Map<string, TensorData>;
export type StatisticsBackend = 'ort' | 'engine';

/** Batches of `names` from onnxruntime-node. Graph inputs among `names` are taken from the feed. */
export async function* ortTensorBatches(graph: Graph, loader: InitDataLoader, names: string[], count: number): AsyncGenerator<TensorBatch> {
  const inputs = new Set(graph.inputs.map((i) => i.name));
  const extra = names.filter((n) => !inputs.has(n));
  const session = await OrtSession.fromGraph(graph, { extraOutputs: extra });
  try {
    for (const { name, x } of initBatches(graph, loader, count)) {
      const out = extra.length ? await session.run({ [name]: x }, extra) : {};
      const batch: TensorBatch = new Map();
      for (const n of names) {
        const arr = n === name ? x : out[n];
        if (!arr) continue;
        batch.set(n, { data: arr.data instanceof Float32Array ? arr.data : Float32Array.from(arr.data as ArrayLike<number>), shape: [...arr.shape] });
      }
      yield batch;
    }
  } finally {
    await session.release();
  }
}

/** Batches of `names` from the engine (eval mode); every tensor it allocates is released. */
export async function* engineTensorBatches(model: CompressedModel, loader: InitDataLoader, names: string[], count: number): AsyncGenerator<TensorBatch> {
  const graph = model.graph;
  for (const { name, x } of initBatches(graph, loader, count)) {
    const feed = tf.tensor(x.data, x.shape, 'float32');
    let out: Record<string, tf.Tensor> = {};
    try {
      out = model.run({ [name]: feed }, { outputs: names, training: false });
      const batch: TensorBatch = new Map();
      for (const n of names) {
        const t = out[n];
        batch.set(n, { data: Float32Array.from(t.dataSync() as ArrayLike<number>), shape: [...t.shape] });
      }
      yield batch;
    } finally {
      feed.dispose();
      for (const t of Object.values(out)) t.dispose();
    }
  }
}
