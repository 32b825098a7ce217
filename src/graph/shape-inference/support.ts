import type { Graph } from '../graph.js';

/**
 * A model that cannot be loaded or run: corrupt bytes, a broken graph, an op we do not support.
 * Lives with graph (not a frontend) so the engine and every frontend throw the same class.
 */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
  constructor(message: string, readonly nodeName?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Throws ModelLoadError for the first node whose op type is not in `supportedOps` (entries are op types
 * of the default domain, or "domain::OpType"). The message names the node and lists every unsupported op.
 */
export function assertSupported(graph: Graph, supportedOps: Iterable<string>, what = 'this runtime'): void {
  const supported = new Set(supportedOps);
  const bad = graph.nodes.filter((n) => !supported.has(n.domain && n.domain !== 'ai.onnx' ? `${n.domain}::${n.opType}` : n.opType));
  if (bad.length === 0) return;
  const kinds = [...new Set(bad.map((n) => (n.domain ? `${n.domain}::${n.opType}` : n.opType)))];
  const first = bad[0];
  throw new ModelLoadError(
    `unsupported op ${first.domain ? `${first.domain}::` : ''}${first.opType} at node "${first.name}" (${bad.length} node(s) of unsupported type(s) ${kinds.join(', ')} for ${what})`,
    first.name,
  );
}
