/**
 * The layers movement sparsity sparsifies: as NNCF (NNCFLinear only), every linear layer — Gemm, or a
 * MatMul with a constant 2-D weight — whose scope passes ignored/target scopes. Its weight is seen in
 * PyTorch's Linear layout [out, in] (what sparse_factors and per_dim's axis refer to), whatever the
 * ONNX layout: Gemm transB=1 stores [out, in], a MatMul or Gemm transB=0 stores [in, out]. The bias
 * (NNCF's prune_bias) is Gemm's C, or for a MatMul the one-per-output constant of the Add that alone
 * consumes its output (how PyTorch exports a Linear applied to a 3-D input).
 */
import type { Engine } from '../../../engine/index.js';
import { scopeList, scopeOf, shouldConsiderScope, validateScopes, type Graph, type GraphNode } from '../../../graph/index.js';
import { SparsityConfigError } from '../base-controller.js';
import type { LayerScopes, SparsifiableLayer } from '../layers.js';

export interface LinearLayer extends SparsifiableLayer {
  node: GraphNode;
  /** [out, in]. */
  shape: [number, number];
  /** The ONNX weight is [in, out] (MatMul, Gemm transB=0). */
  transposed: boolean;
  /** The Add node that adds the bias to a MatMul's output (undefined for Gemm or no bias). */
  biasAdd?: GraphNode;
}

const int = (n: GraphNode, name: string, dflt: number): number => {
  const a = n.attributes[name];
  return a?.type === 'int' ? Number(a.value) : dflt;
};

/** The constant per-output bias of a MatMul: its output's only consumer is an Add with a [out] initializer. */
function matmulBias(graph: Graph, node: GraphNode, out: number): { bias: string; add: GraphNode } | undefined {
  const consumers = graph.consumers(node.outputs[0]);
  if (consumers.length !== 1 || consumers[0].opType !== 'Add') return undefined;
  const add = consumers[0];
  const other = add.inputs[0] === node.outputs[0] ? add.inputs[1] : add.inputs[0];
  const init = graph.initializers.get(other);
  if (!init || init.dims.length !== 1 || init.dims[0] !== out) return undefined;
  return { bias: other, add };
}

export function linearLayers(graph: Graph, engine: Engine, scopes: LayerScopes): LinearLayer[] {
  const filter = { ignoredScopes: scopeList(scopes.ignored_scopes), targetScopes: scopeList(scopes.target_scopes) };
  validateScopes(graph.nodes.map(scopeOf), filter, scopes.validate_scopes ?? true, 'movement_sparsity');
  const weights = new Map(engine.weights().map((w) => [w.name, w]));
  const seen = new Set<string>();
  const out: LinearLayer[] = [];
  for (const node of graph.nodes) {
    if ((node.domain !== '' && node.domain !== 'ai.onnx') || (node.opType !== 'Gemm' && node.opType !== 'MatMul')) continue;
    if (node.opType === 'Gemm' && int(node, 'transA', 0) !== 0) continue;
    const w = graph.initializers.get(node.inputs[1]);
    if (!w || w.dims.length !== 2 || graph.isConstant(node.inputs[0])) continue;
    const name = scopeOf(node);
    if (!shouldConsiderScope(name, filter)) continue;
    if (seen.has(w.name))
      throw new SparsityConfigError(`movement_sparsity: the weight "${w.name}" is read by several linear layers (tied weights); add all but one to ignored_scopes`);
    const stored = weights.get(w.name);
    if (!stored?.trainable)
      throw new SparsityConfigError(`movement_sparsity: the weight of "${name}" ("${w.name}") is not a trainable float initializer; add "${name}" to ignored_scopes`);
    seen.add(w.name);
    const transposed = !(node.opType === 'Gemm' && int(node, 'transB', 0) === 1);
    const shape: [number, number] = transposed ? [w.dims[1], w.dims[0]] : [w.dims[0], w.dims[1]];
    let bias: string | undefined;
    let biasAdd: GraphNode | undefined;
    if (node.opType === 'Gemm') {
      const c = graph.initializers.get(node.inputs[2] ?? '');
      if (c && c.dims.length === 1 && c.dims[0] === shape[0]) bias = c.name;
    } else {
      const b = matmulBias(graph, node, shape[0]);
      if (b) ({ bias, add: biasAdd } = b);
    }
    if (bias !== undefined && !weights.get(bias)?.trainable) bias = undefined;
    out.push({ name, metatype: 'Linear', weight: w.name, onnxDims: [...w.dims], bias, node, shape, transposed, biasAdd });
  }
  if (out.length === 0) throw new SparsityConfigError('movement_sparsity: no sparsifiable linear layer found (Gemm, or MatMul with a constant 2-D weight)');
  return out;
}
