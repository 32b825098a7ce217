/**
 * What NNCF binarizes: every 2-D convolution (NNCFConv2d: Conv with a 4-D weight, grouped and depthwise
 * included; not ConvTranspose, not Linear) whose scope passes ignored/target scopes; NNCF configs
 * usually ignore the first conv and the classifier.
 */
import type { Engine } from '../../engine/index.js';
import { scopeList, scopeOf, shouldConsiderScope, validateScopes, type Graph } from '../../graph/index.js';
import type { BinarizedLayer } from './binarizers.js';

export class BinarizationError extends Error {
  override name = 'BinarizationError';
}

export function binarizableLayers(
  graph: Graph,
  engine: Engine,
  scopes: { ignored_scopes?: string | readonly string[]; target_scopes?: string | readonly string[]; validate_scopes?: boolean },
): BinarizedLayer[] {
  const filter = { ignoredScopes: scopeList(scopes.ignored_scopes), targetScopes: scopeList(scopes.target_scopes) };
  validateScopes(graph.nodes.map(scopeOf), filter, scopes.validate_scopes ?? true, 'binarization');
  const weights = new Map(engine.weights().map((w) => [w.name, w]));
  const out: BinarizedLayer[] = [];
  for (const node of graph.nodes) {
    if (node.opType !== 'Conv') continue;
    const w = weights.get(node.inputs[1]);
    if (!w || w.onnxDims.length !== 4) continue;
    const name = scopeOf(node);
    if (!shouldConsiderScope(name, filter)) continue;
    if (!w.trainable)
      throw new BinarizationError(`binarization: the weight of "${name}" ("${w.name}") is not a trainable float initializer; add "${name}" to ignored_scopes`);
    out.push({ name, node: node.name, weight: w.name, input: node.inputs[0], weightDims: [...w.onnxDims] });
  }
  return out;
}
