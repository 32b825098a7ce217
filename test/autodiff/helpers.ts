/** Shared pieces of the autodiff tests: seeded batches, norm-wise relative error, one ORT step. */
import { compileTrainingGraph, OrtTrainerStep, type CompileOptions } from '../../src/autodiff/index.js';
import { Graph } from '../../src/graph/graph.js';
import { inferShapes } from '../../src/graph/shape-inference/index.js';
import { constTensor, seededRandom } from '../helpers/onnx-builder.js';

export interface Batch {
  data: Float32Array;
  shape: number[];
  labels: number[];
}

export function seededBatch(graph: Graph, seed: number, classes: number): Batch {
  const rnd = seededRandom(seed);
  const shape = graph.inputs[0].shape!.map((d) => (typeof d === 'number' ? d : 2));
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rnd() * 2 - 1);
  const labels = Array.from({ length: shape[0] }, () => Math.floor(rnd() * classes));
  return { data, shape, labels };
}

/** ‖a − b‖ / max(‖b‖, floor): the norm-wise relative error (the floor keeps near-zero gradients meaningful). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  let diff = 0,
    ref = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    ref += b[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(ref), floor);
}

export async function ortGradients(graph: Graph, batch: Batch, opts: CompileOptions = {}) {
  const compiled = compileTrainingGraph(graph, opts);
  const step = await OrtTrainerStep.create(compiled, { threads: 1 });
  try {
    const r = await step.step({ data: batch.data, shape: batch.shape }, batch.labels);
    return { ...r, compiled, state: step.state };
  } finally {
    await step.release();
  }
}

/** The transformer helper ends in hidden states [B, T, d]: add mean pooling over T and a Gemm to classes. */
export function withClassifierHead(model: Graph, classes: number): Graph {
  const d = model.outputs[0].shape![2] as number;
  const rnd = seededRandom(9);
  const fcW = constTensor(
    'head.weight',
    'float32',
    [classes, d],
    Array.from({ length: classes * d }, () => (rnd() * 2 - 1) / Math.sqrt(d)),
  );
  const fcB = constTensor(
    'head.bias',
    'float32',
    [classes],
    Array.from({ length: classes }, () => rnd() * 0.2 - 0.1),
  );
  const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes = {}) => ({
    name,
    opType,
    domain: '',
    inputs,
    outputs,
    attributes,
    scope: name,
  });
  const g = new Graph({
    name: 'transformer_classifier',
    nodes: [
      ...model.nodes,
      node('head/ReduceMean', 'ReduceMean', [model.outputs[0].name], ['pooled'], {
        axes: { type: 'ints', value: [1] },
        keepdims: { type: 'int', value: 0 },
      }),
      node('head/Gemm', 'Gemm', ['pooled', 'head.weight', 'head.bias'], ['logits'], {
        transB: { type: 'int', value: 1 },
      }),
    ],
    inputs: model.inputs,
    outputs: [{ name: 'logits', dtype: 'float32', shape: [model.inputs[0].shape![0], classes] }],
    initializers: [...model.initializers.values(), fcW, fcB],
    opsets: model.opsets,
  });
  inferShapes(g);
  return g;
}
