import * as ort from 'onnxruntime-node';
import type { Graph } from '../../src/graph/graph.js';
import { exportOnnx } from '../../src/exporters/onnx/index.js';

export type Feeds = Record<string, { dims: number[]; data: Float32Array }>;

/** Runs a model in onnxruntime-node; returns every output as {dims, bytes} for bit-exact comparison. */
export async function runOrt(model: Uint8Array | string, feeds: Feeds, options: ort.InferenceSession.SessionOptions = {}): Promise<Record<string, { dims: number[]; data: ArrayLike<number | bigint>; bytes: Buffer }>> {
  const session = await ort.InferenceSession.create(model as Uint8Array, options);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) inputs[k] = new ort.Tensor('float32', v.data, v.dims);
  const result = await session.run(inputs);
  const out: Record<string, { dims: number[]; data: ArrayLike<number | bigint>; bytes: Buffer }> = {};
  for (const [k, t] of Object.entries(result)) {
    const data = t.data as unknown as ArrayBufferView & ArrayLike<number>;
    out[k] = { dims: [...t.dims], data, bytes: Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
  }
  await session.release();
  return out;
}

/** Exports a copy of the graph with every node output declared as a graph output (to read ORT's shapes). */
export function withAllOutputs(graph: Graph): Uint8Array {
  const saved = graph.outputs;
  const names = new Set(saved.map((o) => o.name));
  graph.outputs = [...saved];
  for (const n of graph.nodes) for (const o of n.outputs) if (o && !names.has(o)) {
    names.add(o);
    graph.outputs.push({ name: o, dtype: graph.tensor(o)?.dtype ?? 'float32', shape: null });
  }
  try {
    return exportOnnx(graph);
  } finally {
    graph.outputs = saved;
  }
}

/** Random input in [-1, 1) from a seed. */
export function seededFloats(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = a / 2 ** 31 - 1;
  }
  return out;
}
