import type { Graph } from '../graph.js';
import type { Dim, GraphNode, TensorInfo } from '../types.js';
import { ShapeContext, ShapeInferenceError, type ValueFacts } from './context.js';
import { SHAPE_RULES } from './registry.js';
import { constantFacts } from './shape-ops.js';

export interface ShapeInferenceResult {
  /** Nodes whose op has no shape rule (their outputs keep declared value_info or stay unknown). */
  unsupported: GraphNode[];
  /** Known element values of small integer tensors (shape computations), by tensor name. */
  values: Map<string, Dim[]>;
}

/** Numbers the model declared win; otherwise inferred dims, then declared symbolic names. */
function merge(inferred: ValueFacts, declared: TensorInfo | undefined): TensorInfo['shape'] {
  if (!declared?.shape) return inferred.shape;
  if (!inferred.shape) return declared.shape;
  if (inferred.shape.length !== declared.shape.length) return inferred.shape;
  return inferred.shape.map((d, i) => {
    const decl = declared.shape![i];
    return typeof decl === 'number' ? decl : d ?? decl;
  });
}

/**
 * Fills `graph.tensors` with dtype and shape for every node output, walking nodes in topological order.
 * Symbolic dims (e.g. "N") flow through unchanged; shape-computing subgraphs (Shape → Gather → Concat →
 * Reshape) are evaluated on known values. Throws ShapeInferenceError naming the node on inconsistent shapes.
 */
export function inferShapes(graph: Graph): ShapeInferenceResult {
  const facts = new Map<string, ValueFacts>();
  for (const t of graph.tensors.values()) facts.set(t.name, { dtype: t.dtype, shape: t.shape });
  for (const c of graph.initializers.values()) facts.set(c.name, constantFacts(c.dtype, c.dims, c.values as ArrayLike<number>));
  const opset = graph.opsets.get('') ?? graph.opsets.get('ai.onnx') ?? 17;
  const unsupported: GraphNode[] = [];
  for (const node of graph.nodes) {
    const rule = node.domain === '' || node.domain === 'ai.onnx' ? SHAPE_RULES[node.opType] : undefined;
    let out: ValueFacts[] = [];
    if (rule) {
      const ctx = new ShapeContext(node, (n) => facts.get(n), opset);
      try {
        out = rule(ctx);
      } catch (err) {
        if (err instanceof ShapeInferenceError) throw err;
        throw new ShapeInferenceError(`${node.opType} node "${node.name}": ${(err as Error).message}`);
      }
    } else unsupported.push(node);
    node.outputs.forEach((name, i) => {
      if (name === '') return;
      const declared = graph.tensors.get(name);
      const f = out[i] ?? { dtype: 'undefined', shape: null };
      const info: TensorInfo = {
        name,
        dtype: declared && declared.dtype !== 'undefined' ? declared.dtype : f.dtype,
        shape: merge(f, declared),
      };
      facts.set(name, { ...f, dtype: info.dtype, shape: info.shape });
      graph.tensors.set(name, info);
    });
  }
  for (const o of graph.outputs) {
    const t = graph.tensors.get(o.name);
    if (t) {
      o.dtype = t.dtype;
      o.shape = t.shape;
    }
  }
  const values = new Map<string, Dim[]>();
  for (const [name, f] of facts) if (f.value && !graph.initializers.has(name)) values.set(name, f.value);
  return { unsupported, values };
}
