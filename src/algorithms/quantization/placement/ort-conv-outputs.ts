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
 * between a DQ and the next Q, and the Conv becomes integer. A SiLU's Sigmoid (x·σ(x)) also gets a
 * quantizer on its output, so ORT runs QLinearSigmoid and QLinearMul instead of float ops between Q/DQs.
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
    added.push(outputSpec(graph, s, config, id, tensor, producer));
  }
  added.push(...sigmoidOutputs(graph, ug, s, config, ids, quantized));
  added.push(...convInputs(graph, ug, s, config, ids, [...placed, ...added], weighted));
  return added;
}

/**
 * A Conv whose input is quantized only upstream of a Concat/Reshape/Transpose (NNCF propagates the
 * quantizer up through them into the branches: SqueezeNet, ShuffleNet) reads a float tensor, not a DQ:
 * ORT needs a DQ right before the Conv. A quantizer goes on that tensor (ORT then fuses the Concat too).
 */
function convInputs(graph: Graph, ug: UnitGraph, s: ResolvedSettings, config: QuantizerSpec['allowedConfigs'][number], ids: Set<string>, placed: readonly QuantizerSpec[], weighted: Set<string>): QuantizerSpec[] {
  const outputPoints = new Set(placed.flatMap((q) => q.points.flatMap((p) => (p.kind === 'output' ? [p.tensor] : []))));
  const inputPoints = new Set(placed.flatMap((q) => q.points.flatMap((p) => (p.kind === 'input' ? [`${p.consumer}#${p.port}`] : []))));
  const inputs = new Set(graph.inputs.map((i) => i.name));
  const added: QuantizerSpec[] = [];
  for (const unit of ug.units) {
    const conv = unit.first;
    if (unit.ignored || conv.opType !== 'Conv' || !weighted.has(conv.name)) continue;
    const tensor = conv.inputs[0];
    const producer = graph.producer(tensor);
    if (!producer || inputs.has(tensor) || outputPoints.has(tensor) || inputPoints.has(`${conv.name}#0`)) continue;
    const id = `${scopeOf(producer)}|OUTPUT`;
    if (ids.has(id)) continue;
    ids.add(id);
    outputPoints.add(tensor);
    added.push(outputSpec(graph, s, config, id, tensor, producer));
  }
  return added;
}

/** Sigmoid inside a Conv's fused pattern (SiLU = x·σ(x)): a quantizer on σ(x) for QLinearSigmoid → QLinearMul. */
function sigmoidOutputs(graph: Graph, ug: UnitGraph, s: ResolvedSettings, config: QuantizerSpec['allowedConfigs'][number], ids: Set<string>, quantized: Set<string>): QuantizerSpec[] {
  const added: QuantizerSpec[] = [];
  for (const unit of ug.units) {
    if (unit.ignored || unit.first.opType !== 'Conv') continue;
    for (const sig of unit.nodes.filter((n) => n.opType === 'Sigmoid')) {
      const tensor = sig.outputs[0];
      const id = `${scopeOf(sig)}|OUTPUT`;
      if (quantized.has(tensor) || ids.has(id) || graph.outputs.some((o) => o.name === tensor)) continue;
      ids.add(id);
      added.push(outputSpec(graph, s, config, id, tensor, sig));
    }
  }
  return added;
}

function outputSpec(graph: Graph, s: ResolvedSettings, config: QuantizerSpec['allowedConfigs'][number], id: string, tensor: string, producer: GraphNode): QuantizerSpec {
  return {
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
  };
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

/**
 * Tensors ORT sees as one QuantizeLinear: an output point, or an input point on the only consumer.
 * (Per-consumer input quantizers on a branching tensor are several Qs on it: ORT fuses none.)
 */
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
    if (all.length === 1 && ports.has(all[0])) out.add(t);
  }
  return out;
}
