import { scopeOf, type Graph, type GraphNode } from '../../../graph/index.js';
import { applyConstraints } from '../../../hardware/index.js';
import type { ResolvedSettings } from './settings.js';
import type { QuantizerSpec } from './spec.js';
import type { UnitGraph } from './units.js';

/**
 * Pass 6 (QDQ export for onnxruntime on CPU/ANY) — a quantizer where a convolution's integer output
 * must be. ORT fuses DQ → Conv → Q into QLinearConv only when the Conv's output (after a BN the export
 * folds, and a Relu/Clip ORT drops before a Q) goes straight into a QuantizeLinear. NNCF fuses
 * Conv+BN+HardSwish / SiLU / HardSigmoid into one pattern and quantizes only after it, and leaves a
 * Conv → Relu → Concat/Reshape (SqueezeNet, ShuffleNet) unquantized up to the next quantizer: there ORT
 * runs the Conv in float between Q/DQ pairs, slower than FP32. As ORT's own quantization tool does, a
 * quantizer then goes on the Conv's output before the float elementwise op; that op runs in float
 * between a DQ and the next Q, and the Conv becomes integer.
 */
const ORT_FUSES_INTO_CONV = new Set(['BatchNormalization', 'Relu', 'Clip']);

export function convOutputQuantizersForOrt(graph: Graph, ug: UnitGraph, s: ResolvedSettings, placed: readonly QuantizerSpec[]): QuantizerSpec[] {
  if (!s.convOutputsForOrt) return [];
  const weighted = new Set(placed.flatMap((q) => q.points.flatMap((p) => (p.kind === 'weight' ? [p.node] : []))));
  const ids = new Set(placed.map((q) => q.id));
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const quantized = quantizedTensors(graph, placed);
  const config = { ...applyConstraints(s.defaultActivationConfigs[0], s.constraints.activations), perChannel: false };
  const added: QuantizerSpec[] = [];
  for (const unit of ug.units) {
    if (unit.ignored || unit.first.opType !== 'Conv' || !weighted.has(unit.first.name)) continue;
    const { tensor, producer } = convOutputForOrt(graph, unit.first, new Set(unit.nodes));
    const id = `${scopeOf(producer)}|OUTPUT`;
    if (outputs.has(tensor) || quantized.has(tensor) || ids.has(id)) continue;
    ids.add(id);
    added.push({
      id,
      kind: 'activation',
      points: [{ kind: 'output', tensor, producer: producer.name }],
      bits: config.bits,
      mode: config.mode,
      signed: config.signed,
      perChannel: false,
      narrowRange: false,
      halfRange: false,
      logarithmScale: s.logarithmScale.activations,
      quantizedNodes: [...new Set(graph.consumers(tensor).map(scopeOf))],
      allowedConfigs: [config],
    });
  }
  return added;
}

/** The tensor after the Conv and the ops ORT folds into QLinearConv (BN, Relu, Clip) inside its fused pattern. */
function convOutputForOrt(graph: Graph, conv: GraphNode, unit: Set<GraphNode>): { tensor: string; producer: GraphNode } {
  let producer = conv;
  let tensor = conv.outputs[0];
  for (;;) {
    const consumers = graph.consumers(tensor);
    const next = consumers[0];
    if (consumers.length !== 1 || !unit.has(next) || !ORT_FUSES_INTO_CONV.has(next.opType) || graph.outputs.some((o) => o.name === tensor)) break;
    producer = next;
    tensor = next.outputs[0];
  }
  return { tensor, producer };
}

/** Tensors every consumer reads quantized: an output point, or input points on all of its consumers. */
function quantizedTensors(graph: Graph, placed: readonly QuantizerSpec[]): Set<string> {
  const out = new Set<string>();
  const inputs = new Map<string, Set<string>>();
  for (const q of placed)
    for (const p of q.points) {
      if (p.kind === 'output') out.add(p.tensor);
      if (p.kind === 'input') (inputs.get(p.tensor) ?? inputs.set(p.tensor, new Set()).get(p.tensor)!).add(`${p.consumer}#${p.port}`);
    }
  for (const [t, ports] of inputs) {
    const all = graph.consumers(t).flatMap((c) => c.inputs.flatMap((x, port) => (x === t ? [`${c.name}#${port}`] : [])));
    if (all.every((k) => ports.has(k))) out.add(t);
  }
  return out;
}
