import { Graph } from '../graph/index.js';
import type { CompressedModel } from './compressed-model.js';

/**
 * A copy of the model's graph whose float initializers hold the engine's current raw weights (BN
 * statistics included): the starting point of every export and subnet extraction. Non-float
 * initializers (shapes, indices) are kept as they are.
 */
export function graphWithEngineWeights(model: CompressedModel): Graph {
  const g = model.graph;
  const initializers = new Map(g.initializers);
  for (const w of model.engine.weights()) {
    const old = initializers.get(w.name);
    if (old && old.dtype !== 'float32') continue;
    const t = model.engine.getWeight(w.name);
    initializers.set(w.name, { name: w.name, dtype: 'float32', dims: [...w.onnxDims], values: Float32Array.from(t.dataSync() as Float32Array) });
    t.dispose();
  }
  return new Graph({
    name: g.name,
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: { ...n.attributes } })),
    inputs: g.inputs.map((t) => ({ ...t })),
    outputs: g.outputs.map((t) => ({ ...t })),
    initializers: initializers.values(),
    tensors: [...g.tensors.values()].map((t) => ({ ...t, shape: t.shape ? [...t.shape] : t.shape })),
    opsets: new Map(g.opsets),
    modelInfo: { ...g.modelInfo },
  });
}
