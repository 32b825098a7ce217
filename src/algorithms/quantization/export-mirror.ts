/**
 * QDQ export only: NNCF places one activation quantizer above quantization-agnostic ops (Flatten,
 * Reshape, MaxPool…), which ORT's QDQ propagation does not always see through, leaving the next
 * Conv/Gemm/MatMul in float. Repeating the same Q/DQ after the agnostic chain changes no value
 * (the tensor is already on that grid) and lets ORT fuse the consumer into an integer kernel.
 */
import type { QuantizerExportSpec } from '../../exporters/onnx/quantized/index.js';
import type { Graph } from '../../graph/index.js';

const AGNOSTIC = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Transpose', 'MaxPool']);
const INTEGER_KERNEL_OPS = new Set(['Conv', 'Gemm', 'MatMul']);

export function mirrorSpecs(graph: Graph, specs: QuantizerExportSpec[]): QuantizerExportSpec[] {
  const quantized = new Set(specs.filter((s) => s.target.kind === 'activation').map((s) => s.target.tensor));
  const out: QuantizerExportSpec[] = [];
  for (const s of specs) {
    if (s.target.kind !== 'activation' || s.target.consumers || s.perChannelAxis !== undefined) continue;
    const stack = [s.target.tensor];
    while (stack.length) {
      const t = stack.pop()!;
      for (const c of graph.consumers(t)) {
        if (!AGNOSTIC.has(c.opType) || c.inputs[0] !== t) continue;
        const y = c.outputs[0];
        if (!y || quantized.has(y)) continue;
        if (graph.consumers(y).some((n) => INTEGER_KERNEL_OPS.has(n.opType) && n.inputs[0] === y)) {
          out.push({ ...s, id: `${s.id}@${c.name}`, target: { kind: 'activation', tensor: y } });
          quantized.add(y);
        } else stack.push(y);
      }
    }
  }
  return out;
}
