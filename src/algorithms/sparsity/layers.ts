/**
 * Which weights a sparsity algorithm masks: as NNCF's sparsity builders, the weight of every convolution
 * (incl. depthwise and transposed), linear layer (Gemm, MatMul with a constant weight) and embedding
 * (Gather from a constant table) whose scope passes ignored/target scopes. A weight read by several
 * layers (tied embeddings) is masked once, under its first layer's name.
 */
import type { Engine } from '../../engine/index.js';
import { metatypeOf, scopeList, scopeOf, shouldConsiderScope, validateScopes, weightOf, type Graph, type Metatype } from '../../graph/index.js';

export interface SparsifiableLayer {
  /** The layer's scope (what statistics and scope patterns name). */
  name: string;
  metatype: Metatype;
  /** The weight initializer. */
  weight: string;
  onnxDims: number[];
  /** The layer's bias initializer, when it has one (Conv/ConvTranspose/Gemm input 2). */
  bias?: string;
}

export interface LayerScopes {
  ignored_scopes?: string | readonly string[];
  target_scopes?: string | readonly string[];
  validate_scopes?: boolean;
}

const SPARSIFIED: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Gather']);

export class SparsityLayerError extends Error {
  override name = 'SparsityLayerError';
}

export function sparsifiableLayers(graph: Graph, engine: Engine, scopes: LayerScopes, algorithm: string): SparsifiableLayer[] {
  const filter = { ignoredScopes: scopeList(scopes.ignored_scopes), targetScopes: scopeList(scopes.target_scopes) };
  validateScopes(graph.nodes.map(scopeOf), filter, scopes.validate_scopes ?? true, algorithm);
  const weights = new Map(engine.weights().map((w) => [w.name, w]));
  const seen = new Set<string>();
  const out: SparsifiableLayer[] = [];
  for (const node of graph.nodes) {
    if (!SPARSIFIED.has(node.opType)) continue;
    const metatype = metatypeOf(graph, node);
    if (metatype === 'MatMul' || metatype === 'Gather') continue; // two activations / constant indices
    const w = weightOf(graph, node, metatype);
    if (!w) continue;
    const name = scopeOf(node);
    if (!shouldConsiderScope(name, filter)) continue;
    if (seen.has(w.tensor)) continue;
    const stored = weights.get(w.tensor);
    if (!stored || !stored.trainable)
      throw new SparsityLayerError(
        `${algorithm}: the weight of "${name}" ("${w.tensor}") is not a trainable float initializer (it is computed or stored in another type); add "${name}" to ignored_scopes`,
      );
    seen.add(w.tensor);
    const biasName = node.opType !== 'MatMul' && node.opType !== 'Gather' ? node.inputs[2] : undefined;
    out.push({ name, metatype, weight: w.tensor, onnxDims: [...stored.onnxDims], bias: biasName && weights.has(biasName) ? biasName : undefined });
  }
  return out;
}
