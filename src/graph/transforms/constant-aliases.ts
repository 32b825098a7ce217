/**
 * Identity chains over constants become constants of their own. PyTorch's exporter deduplicates equal
 * initializers (e.g. every fresh BatchNorm's gamma = 1) and lets the other users read the survivor
 * through an `Identity` node; such a parameter is no initializer to a pass that looks for one (BN
 * folding, ORT's QDQ fusions). Each Identity output becomes an initializer under its own name — the
 * values array is shared, not copied — so no tensor name anything refers to changes.
 * (Constant nodes are initializers already: the ONNX frontend reads them so.)
 */
import type { Graph } from '../graph.js';

/** Replaces every Identity whose input is a constant (also through chains); returns the removed node names. */
export function materializeConstantAliases(graph: Graph): string[] {
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const removed = new Set<string>();
  const sources = new Set<string>();
  for (const node of graph.nodes) {
    if (node.opType !== 'Identity' || node.domain !== '') continue;
    const src = graph.initializers.get(node.inputs[0]);
    const out = node.outputs[0];
    // a graph output must stay a node output (ONNX lists initializers only as inputs)
    if (!src || !out || outputs.has(out)) continue;
    graph.initializers.set(out, { name: out, dtype: src.dtype, dims: [...src.dims], values: src.values });
    graph.tensors.set(out, { name: out, dtype: src.dtype, shape: [...src.dims] });
    removed.add(node.name);
    sources.add(src.name);
  }
  if (removed.size === 0) return [];
  graph.nodes = graph.nodes.filter((n) => !removed.has(n.name));
  const read = new Set([...graph.nodes.flatMap((n) => n.inputs), ...outputs, ...graph.inputs.map((i) => i.name)]);
  for (const s of sources)
    if (!read.has(s)) {
      graph.initializers.delete(s);
      graph.tensors.delete(s);
    }
  graph.reindex();
  return [...removed];
}
