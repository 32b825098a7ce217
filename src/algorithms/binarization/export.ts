/**
 * Writes binarization into an export copy of the graph:
 * - `onnx` (default, standard ops ORT runs): binarized weights become constants ±α (per output channel
 *   for xnor, one α for dorefa); the activation step is Greater(x, T) → Where(·, s, 0) before the conv;
 * - `fq` (NNCF's export): OpenVINO FakeQuantize levels=2 nodes (domain org.openvinotoolkit) — weights
 *   FakeQuantize(w, 0, 0, −α, α), activations FakeQuantize(x, T, T, 0, s); our engine runs them, ORT cannot.
 * T = sigmoid(threshold)·s and α are computed with the same tfjs ops as the simulated model, so both
 * forms give its outputs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttributeValue, Graph, GraphNode } from '../../graph/index.js';
import { binarizeWeightValue } from './binarize-ops.js';
import type { LayerBinarizers } from './binarizers.js';

export type BinarizationExportFormat = 'onnx' | 'fq';
export const OPENVINO_DOMAIN = 'org.openvinotoolkit';

function freshName(graph: Graph, base: string): string {
  const taken = (n: string) => graph.tensors.has(n) || graph.initializers.has(n) || graph.nodes.some((x) => x.name === n || x.outputs.includes(n));
  let name = base;
  for (let i = 1; taken(name); i++) name = `${base}_${i}`;
  return name;
}

function constant(graph: Graph, base: string, dims: number[], values: Float32Array): string {
  const name = freshName(graph, base);
  graph.initializers.set(name, { name, dtype: 'float32', dims, values });
  graph.tensors.set(name, { name, dtype: 'float32', shape: [...dims] });
  return name;
}

function addNode(graph: Graph, opType: string, base: string, inputs: string[], like: string, attributes: Record<string, AttributeValue> = {}, domain = ''): string {
  const name = freshName(graph, base);
  const out = freshName(graph, `${base}_out`);
  graph.tensors.set(out, { name: out, dtype: 'float32', shape: graph.tensor(like)?.shape ? [...graph.tensor(like)!.shape!] : null });
  graph.nodes.push({ name, opType, domain, inputs, outputs: [out], attributes, scope: name } as GraphNode);
  return out;
}

/** The binarized weight's α per output channel (xnor) or one (dorefa), and the binarized values, ONNX layout. */
function binarizedWeight(graph: Graph, b: LayerBinarizers): { values: Float32Array; alpha: Float32Array } {
  const init = graph.initializers.get(b.layer.weight)!;
  return tf.tidy(() => {
    const w = tf.tensor(init.values as Float32Array, init.dims);
    const bw = binarizeWeightValue(w, b.mode);
    const axes = b.mode === 'xnor' ? [1, 2, 3] : [0, 1, 2, 3];
    return { values: Float32Array.from(bw.dataSync()), alpha: Float32Array.from(tf.mean(tf.abs(w), axes).dataSync()) };
  });
}

export function writeBinarization(graph: Graph, layers: readonly LayerBinarizers[], format: BinarizationExportFormat): void {
  for (const b of layers) {
    const conv = graph.node(b.layer.node)!;
    const base = `binarization/${b.layer.name}`;
    if (b.weightFlag.enabled) {
      const { values, alpha } = binarizedWeight(graph, b);
      if (format === 'onnx') {
        const old = graph.initializers.get(b.layer.weight)!;
        graph.initializers.set(b.layer.weight, { ...old, dtype: 'float32', values });
      } else {
        const cout = b.mode === 'xnor' ? b.layer.weightDims[0] : 1;
        const dims = b.mode === 'xnor' ? [cout, 1, 1, 1] : [1];
        const zero = constant(graph, `${base}/weight_threshold`, dims, new Float32Array(cout));
        const lo = constant(graph, `${base}/weight_low`, dims, alpha.map((a) => -a));
        const hi = constant(graph, `${base}/weight_high`, dims, alpha);
        const out = addNode(graph, 'FakeQuantize', `${base}/weight/FakeQuantize`, [b.layer.weight, zero, zero, lo, hi], b.layer.weight, { levels: { type: 'int', value: 2 } }, OPENVINO_DOMAIN);
        conv.inputs[1] = out;
      }
    }
    if (b.activationFlag.enabled) {
      const { scale, thresholds } = b.activationValues();
      const tDims = [1, thresholds.length, 1, 1];
      const t = constant(graph, `${base}/activation_threshold`, tDims, thresholds);
      const s = constant(graph, `${base}/activation_scale`, [1, 1, 1, 1], Float32Array.of(scale));
      const z = constant(graph, `${base}/activation_zero`, [1, 1, 1, 1], Float32Array.of(0));
      const x = conv.inputs[0];
      let out: string;
      if (format === 'onnx') {
        const above = addNode(graph, 'Greater', `${base}/activation/Greater`, [x, t], x);
        graph.tensors.get(above)!.dtype = 'bool';
        out = addNode(graph, 'Where', `${base}/activation/Where`, [above, s, z], x);
      } else {
        out = addNode(graph, 'FakeQuantize', `${base}/activation/FakeQuantize`, [x, t, t, z, s], x, { levels: { type: 'int', value: 2 } }, OPENVINO_DOMAIN);
      }
      conv.inputs[0] = out;
    }
  }
  if (format === 'fq' && layers.some((b) => b.weightFlag.enabled || b.activationFlag.enabled)) graph.opsets.set(OPENVINO_DOMAIN, Math.max(1, graph.opsets.get(OPENVINO_DOMAIN) ?? 1));
  graph.reindex();
  graph.validate();
}
