/**
 * Identity and inference-mode Dropout on activations removed. They compute nothing, but a pattern
 * match (Conv → BatchNormalization, Conv → QuantizeLinear for ORT's QDQ fusion) sees them as an op
 * in between. The node's producer writes the node's output name instead, so the names that
 * consumers, graph outputs and quantizer targets use stay valid.
 */
import type { Graph } from '../graph.js';
import type { GraphNode } from '../types.js';

/** True for Dropout that is the identity: no training_mode input (or a constant false), mask unused. */
function isInferenceDropout(graph: Graph, n: GraphNode): boolean {
  if (n.outputs[1] && graph.consumers(n.outputs[1]).length > 0) return false;
  if (n.outputs[1] && graph.outputs.some((o) => o.name === n.outputs[1])) return false;
  const mode = n.inputs[2];
  if (!mode) return true;
  const t = graph.initializers.get(mode);
  return t !== undefined && t.values.length === 1 && !Number(t.values[0]);
}

/**
 * Removes each Identity / inference Dropout whose input is a node output read by this node alone,
 * not a graph output and not in `keep` (tensors something else refers to by name, e.g. quantizer
 * targets). Returns the removed node names.
 */
export function removePassThroughNodes(graph: Graph, keep: ReadonlySet<string> = new Set()): string[] {
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const removed: string[] = [];
  for (const node of [...graph.nodes]) {
    if (node.domain !== '' || !(node.opType === 'Identity' || (node.opType === 'Dropout' && isInferenceDropout(graph, node)))) continue;
    const x = node.inputs[0];
    const producer = graph.producer(x);
    if (!producer || outputs.has(x) || keep.has(x) || graph.consumers(x).length !== 1) continue;
    const y = node.outputs[0];
    producer.outputs = producer.outputs.map((o) => (o === x ? y : o));
    graph.tensors.delete(x);
    graph.nodes = graph.nodes.filter((n) => n !== node);
    if (node.outputs[1]) graph.tensors.delete(node.outputs[1]);
    removed.push(node.name);
    graph.reindex();
  }
  return removed;
}
