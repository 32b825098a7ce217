import { scopeOf, type Graph } from '../../../graph/index.js';
import { intersectConfigs } from './merge-configs.js';
import type { ResolvedSettings } from './settings.js';
import type { InsertionPoint, QuantizerSpec } from './spec.js';
import type { PQ, PropagationState } from './state.js';

/**
 * Pass 5 — activation quantizers from the final propagation state: model-input quantizers dropped
 * when `quantize_inputs` is false, unified groups turned into one quantizer with several points,
 * the first allowed config chosen (no precision init here), NNCF-style ids given.
 */
export function finalizeActivationQuantizers(graph: Graph, s: ResolvedSettings, state: PropagationState): QuantizerSpec[] {
  const inputNames = new Set(graph.inputs.map((i) => i.name));
  const alive = state.alive().filter((pq) => s.quantizeInputs || !(pq.pos.kind === 'output' && inputNames.has(pq.pos.tensor)));
  const groups = new Map<number, PQ[]>();
  for (const pq of alive) {
    const r = state.root(pq.id);
    (groups.get(r) ?? groups.set(r, []).get(r)!).push(pq);
  }
  let unifiedId = 0;
  const specs: QuantizerSpec[] = [];
  for (const members of groups.values()) {
    members.sort((a, b) => a.id - b.id);
    const points = dedupePoints(members.map((pq) => pointOf(graph, pq)));
    const common = intersectConfigs(members.map((m) => m.configs));
    const configs = common.length > 0 ? common : members[0].configs;
    const q = configs[0];
    specs.push({
      id: idOf(graph, members[0]),
      kind: 'activation',
      points,
      bits: q.bits,
      mode: q.mode,
      signed: q.signed,
      perChannel: q.perChannel,
      channelAxis: q.perChannel ? 1 : undefined,
      narrowRange: false,
      halfRange: false,
      logarithmScale: s.logarithmScale.activations,
      unifiedScaleGroup: points.length > 1 ? unifiedId++ : undefined,
      quantizedNodes: [...new Set(members.flatMap((m) => [...m.sinks]))],
      allowedConfigs: configs,
      initializerOverride: members.find((m) => m.initializer !== undefined)?.initializer,
    });
  }
  return specs;
}

function pointOf(graph: Graph, pq: PQ): InsertionPoint {
  if (pq.pos.kind === 'output') {
    const producer = graph.producer(pq.pos.tensor);
    return producer ? { kind: 'output', tensor: pq.pos.tensor, producer: producer.name } : { kind: 'output', tensor: pq.pos.tensor };
  }
  return { kind: 'input', tensor: pq.pos.tensor, consumer: pq.pos.consumer, port: pq.pos.port };
}

function dedupePoints(points: InsertionPoint[]): InsertionPoint[] {
  const seen = new Set<string>();
  return points.filter((p) => {
    const k = JSON.stringify(p);
    return !seen.has(k) && !!seen.add(k);
  });
}

/** `<producer scope>|OUTPUT` (a model input's name when there is no producer) or `<consumer scope>|INPUT<port>`. */
export function idOf(graph: Graph, pq: PQ): string {
  if (pq.pos.kind === 'output') {
    const producer = graph.producer(pq.pos.tensor);
    return `${producer ? scopeOf(producer) : pq.pos.tensor}|OUTPUT`;
  }
  const consumer = graph.node(pq.pos.consumer);
  return `${consumer ? scopeOf(consumer) : pq.pos.consumer}|INPUT${pq.pos.port}`;
}
