/**
 * `--remove-structured` (API: `removeStructuredMasks`): after the structured masks are resolved, the
 * export drops the pruned heads and channels physically instead of writing them as zeros: Q/K/V (and
 * FFN-in) lose the rows of pruned heads/channels with their bias entries, the output projection (FFN-out)
 * the matching columns, and the head Reshapes of attention get the new head count (split: H → H',
 * merge: H·dh → H'·dh; −1 and 0 entries are left as they are; a shape PyTorch builds at run time from
 * Shape ops is rewritten in its constant head entries, its dynamic ones kept). Any shape it cannot rewrite, or a group
 * with every unit pruned, is an error naming the layer. Runs after the masked weights are written.
 */
import type { ConstTensor, Graph, GraphNode } from '../../../graph/index.js';
import { SparsityConfigError } from '../base-controller.js';
import type { LinearLayer } from './layers.js';
import { reshapeTarget, setReshapeEntry } from './reshape-target.js';
import type { StructuredGroup } from './structured-groups.js';
import type { StructuredLayerReport } from './structured-mask.js';

/** Keeps the given rows (axis 0) or columns (axis 1) of a 2-D float initializer, or entries of a 1-D one. */
function slice(t: ConstTensor, axis: number, keep: readonly number[]): ConstTensor {
  const v = t.values as Float32Array;
  if (t.dims.length === 1) return { ...t, dims: [keep.length], values: Float32Array.from(keep, (i) => v[i]) };
  const [rows, cols] = t.dims;
  const out = new Float32Array(axis === 0 ? keep.length * cols : rows * keep.length);
  if (axis === 0) keep.forEach((r, i) => out.set(v.subarray(r * cols, (r + 1) * cols), i * cols));
  else for (let r = 0; r < rows; r++) keep.forEach((c, i) => (out[r * keep.length + i] = v[r * cols + c]));
  return { ...t, dims: axis === 0 ? [keep.length, cols] : [rows, keep.length], values: out };
}

function outputOf(l: LinearLayer): string {
  return l.biasAdd ? l.biasAdd.outputs[0] : l.node.outputs[0];
}

/** The Reshape that merges heads back before `proj` (walking back through single-input-path ops). */
function mergeReshape(graph: Graph, proj: LinearLayer): GraphNode | undefined {
  let t = proj.node.inputs[0];
  for (let i = 0; i < 4; i++) {
    const p = graph.producer(t);
    if (!p) return undefined;
    if (p.opType === 'Reshape') return p;
    if (p.opType !== 'Identity' && p.opType !== 'Cast') return undefined;
    t = p.inputs[0];
  }
  return undefined;
}

export function removeStructured(graph: Graph, groups: readonly StructuredGroup[], layers: ReadonlyMap<string, LinearLayer>, report: readonly StructuredLayerReport[]): void {
  for (const g of groups) {
    const units = report.find((r) => r.groupId === g.id)!.keptUnits;
    const name = g.members.map((m) => m.layer).join(', ');
    if (units.length === 0) throw new SparsityConfigError(`--remove-structured: every ${g.kind === 'attention' ? 'head' : 'channel'} of [${name}] is pruned; the layers would vanish (export with the masks only)`);
    const keep = units.flatMap((u) => Array.from({ length: g.block }, (_, i) => u * g.block + i));
    const first = g.members[0];
    const total = layers.get(first.layer)!.shape[first.byRow ? 0 : 1];
    if (keep.length === total) continue;
    for (const m of g.members) {
      const l = layers.get(m.layer)!;
      // PyTorch [out, in] row r / column c ↔ ONNX: [out, in] for Gemm transB=1, [in, out] otherwise
      const axis = m.byRow ? (l.transposed ? 1 : 0) : l.transposed ? 0 : 1;
      graph.initializers.set(l.weight, slice(graph.initializers.get(l.weight)!, axis, keep));
      if (m.byRow && l.bias) graph.initializers.set(l.bias, slice(graph.initializers.get(l.bias)!, 0, keep));
      if (g.kind !== 'attention') continue;
      if (m.byRow) {
        const split = graph.consumers(outputOf(l)).find((c) => c.opType === 'Reshape');
        const shape = split && reshapeTarget(graph, split);
        const [h, dh] = shape ? shape.slice(-2) : [];
        if (!split || h === undefined || dh === undefined || h * dh !== total)
          throw new SparsityConfigError(`--remove-structured: the head split of "${m.layer}" is not a Reshape to [..., heads, head_size] with constant heads and head_size`);
        if (h !== -1) setReshapeEntry(graph, split, -2, units.length, `g${g.id}`);
      } else {
        const merge = mergeReshape(graph, l);
        const last = merge && reshapeTarget(graph, merge)?.at(-1);
        if (!merge || (last !== total && last !== -1))
          throw new SparsityConfigError(`--remove-structured: the head merge before "${m.layer}" is not a Reshape to [..., ${total}] with a constant last entry`);
        if (last !== -1) setReshapeEntry(graph, merge, -1, keep.length, `g${g.id}`);
      }
    }
  }
  // intermediate shapes changed: leave them to ONNX Runtime's inference
  const io = new Set([...graph.inputs, ...graph.outputs].map((t) => t.name));
  for (const t of graph.tensors.values()) if (!io.has(t.name) && !graph.initializers.has(t.name)) t.shape = null;
  for (const [n, c] of graph.initializers) graph.tensors.set(n, { name: n, dtype: c.dtype, shape: [...c.dims] });
}
