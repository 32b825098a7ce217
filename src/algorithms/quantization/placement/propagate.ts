import type { Graph } from '../../../graph/index.js';
import { mergeBranchConfigs } from './merge-configs.js';
import type { ResolvedSettings } from './settings.js';
import type { PQ, PropagationState } from './state.js';
import type { Unit, UnitGraph } from './units.js';

/**
 * Pass 4 — propagation (NNCF QuantizerPropagationSolver with MERGE_ALL_IN_ONE), run tensor by tensor
 * from the outputs up. For a tensor t with quantizers waiting on its consumers' inputs:
 *  - one consumer edge: the quantizer moves onto t (the producer's output);
 *  - several edges (a branching point, a model output counting as an edge): the quantizers merge
 *    into one on t only if EVERY edge carries one (an FP32 branch — non-quantizable or ignored op,
 *    unquantized model output — blocks the move) and their configs intersect; otherwise they stay.
 * A quantizer on t then passes up through a quantization-agnostic producer (cloned onto each of its
 * inputs) or a Concat (clones share one scale when the HW config unifies Concat), and stops at any
 * other producer or at a model input. Below an Embedding the activation quantizer is dropped: its
 * output is quantized by its weight quantizer (OUTPUT_QUANTIZATION_AS_WEIGHTS).
 */
export function propagate(graph: Graph, ug: UnitGraph, s: ResolvedSettings, state: PropagationState): Set<string> {
  const edges = consumerEdges(graph, ug);
  const outputsLeft = new Map(ug.units.map((u) => [u, new Set(u.outputs)]));
  const weightsQuantizeOutput = new Set<string>();
  const order = [...graph.nodes].reverse().flatMap((n) => n.outputs.filter((t) => t !== ''));
  order.push(...graph.inputs.map((i) => i.name));
  for (const t of order) {
    moveOntoTensor(t, edges.get(t) ?? [], state);
    const producer = graph.producer(t);
    const unit = producer ? ug.unitOfNode.get(producer.name) : undefined;
    if (!unit) continue;
    const left = outputsLeft.get(unit)!;
    left.delete(t);
    if (left.size === 0) climbThrough(unit, state, weightsQuantizeOutput);
  }
  return weightsQuantizeOutput;
}

type Edge = { consumer: string; port: number };

function consumerEdges(graph: Graph, ug: UnitGraph): Map<string, Edge[]> {
  const edges = new Map<string, Edge[]>();
  const push = (t: string, e: Edge) => (edges.get(t) ?? edges.set(t, []).get(t)!).push(e);
  for (const u of ug.units) for (const i of u.inputs) push(i.tensor, { consumer: i.node.name, port: i.port });
  for (const o of graph.outputs) push(o.name, { consumer: o.name, port: 0 });
  return edges;
}

function sitsOn(pq: PQ, e: Edge): boolean {
  return pq.pos.kind === 'input' && pq.pos.consumer === e.consumer && pq.pos.port === e.port;
}

function moveOntoTensor(t: string, edges: Edge[], state: PropagationState): void {
  const here = state.atInputsOf(t);
  if (here.length === 0) return;
  if (edges.length === 1 && here.length === 1) {
    here[0].pos = { kind: 'output', tensor: t };
    return;
  }
  if (!edges.every((e) => here.some((pq) => sitsOn(pq, e)))) return;
  const merged = mergeBranchConfigs(here.map((pq) => pq.configs));
  if (!merged) return;
  const m = state.add(merged, { kind: 'output', tensor: t }, here.flatMap((pq) => [...pq.sinks]), here.find((p) => p.initializer)?.initializer);
  for (const pq of here) {
    // Merged quantizers that had unified partners hand the link over to the merged one.
    if (state.isUnified(pq)) state.unify(pq, m);
    state.remove(pq);
  }
}

function climbThrough(unit: Unit, state: PropagationState, weightsQuantizeOutput: Set<string>): void {
  const arrived = unit.outputs.map((t) => state.atOutput(t));
  if (arrived.length === 0 || arrived.some((pq) => pq === undefined)) return;
  const pqs = arrived as PQ[];
  if (unit.ignored) return;
  if (unit.trait === 'output_quantization_as_weights') {
    for (const pq of pqs) state.remove(pq);
    weightsQuantizeOutput.add(unit.first.name);
    return;
  }
  if (unit.trait !== 'quantization_agnostic' && unit.trait !== 'concat') return;
  if (unit.inputs.length === 0) return;
  let source = pqs[0];
  if (pqs.length > 1) {
    // A multi-output agnostic op (Split): all outputs must agree before the quantizer goes above it.
    const merged = mergeBranchConfigs(pqs.map((pq) => pq.configs));
    if (!merged) return;
    source = state.add(merged, pqs[0].pos, pqs.flatMap((pq) => [...pq.sinks]), pqs[0].initializer);
    for (const pq of pqs) state.remove(pq);
  }
  const unified = unit.trait === 'concat' && unit.unifiedScales;
  if (unified) {
    const perTensor = source.configs.filter((q) => !q.perChannel);
    if (perTensor.length > 0) source.configs = perTensor;
  }
  for (const { node, port, tensor } of unit.inputs)
    state.clone(source, { kind: 'input', tensor, consumer: node.name, port }, unified || state.isUnified(source));
  state.remove(source);
}
