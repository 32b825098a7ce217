import { shouldConsiderScope, type Graph, type GraphNode, type ScopeList } from '../../../graph/index.js';
import { analyseModel } from './analysis.js';
import { sourceMap, sourcesOf, type ChannelMap } from './channel-map.js';
import { Flow } from './flow.js';
import { allLayers, type LayerInfo } from './layers.js';
import { propagateMaps } from './propagate.js';
import { GROUPING_OPS, IDENTITY_LIKE_OPS, traitOf } from './traits/index.js';
import { UnionFind } from './union-find.js';

export interface GroupOptions {
  pruneFirst?: boolean;
  pruneDownsample?: boolean;
  ignoredScopes?: ScopeList;
  targetScopes?: ScopeList;
}

/** Layers whose filters are pruned together (one mask): NNCF's pruning cluster. */
export interface PruningGroup {
  id: number;
  /** Conv/linear layers of the group in topological order; depthwise convs follow their producer. */
  members: LayerInfo[];
  /** Filters of each member (equal across members). */
  channels: number;
}

export interface GroupAnalysis {
  flow: Flow;
  layers: Map<string, LayerInfo>;
  groups: PruningGroup[];
  /** Clusters that cannot be pruned, with the reason of each member that blocks them. */
  refused: { members: string[]; reasons: string[] }[];
}

/**
 * NNCF's PruningNodeSelector.create_pruning_groups on the Graph: clusters of elementwise ops, their
 * source layers merged; depthwise convs and layers sharing a weight merged with their producers; then
 * a cluster is kept only when every member may be pruned (scopes, first conv, downsampling, grouped or
 * batched layers, model analysis) and every path from it ends in a layer that takes its channels
 * (not in a model output, a channel-mixing op or an input of another size).
 */
export function findPruningGroups(graph: Graph, opts: GroupOptions = {}): GroupAnalysis {
  const flow = new Flow(graph);
  const layers = new Map([...allLayers(graph)].filter(([name]) => flow.order.has(name)));
  const isLayer = (n: GraphNode) => layers.has(n.name);
  const clusters = new UnionFind();

  // 1–2. elementwise ops connected through identity-like ops, and the layers feeding them
  const special = new UnionFind();
  const isIdentity = (n: GraphNode) => IDENTITY_LIKE_OPS.includes(n.opType) && traitOf(n).family === 'identity';
  for (const n of flow.nodes) if (GROUPING_OPS.includes(n.opType)) special.add(n.name);
  for (const n of flow.nodes) {
    if (isIdentity(n)) continue;
    const outs = flow.nextNotOf(n, isIdentity).filter((o) => special.has(o.name)).map((o) => o.name);
    if (special.has(n.name)) outs.push(n.name);
    special.union(outs);
  }
  for (const set of special.sets()) {
    const sources = new Set<string>();
    for (const name of set) for (const s of flow.sources(graph.node(name)!, isLayer)) sources.add(s.name);
    for (const s of sources) clusters.add(s);
    clusters.union([...sources]);
  }
  // 3. every other layer alone
  for (const name of layers.keys()) clusters.add(name);
  // 4. depthwise convs join their producers (through anything but stop ops)
  const isSourceOrStop = (n: GraphNode) => isLayer(n) || traitOf(n).family === 'stop';
  const previousLayers = (n: GraphNode) => flow.sources(n, isSourceOrStop).filter(isLayer).map((p) => p.name);
  for (const l of layers.values()) if (l.depthwise) clusters.union([l.node.name, ...previousLayers(l.node)]);
  // 5. layers reading one weight (a module called twice) are one cluster, and so are their producers
  const byWeight = new Map<string, string[]>();
  for (const l of layers.values()) byWeight.set(l.weight, [...(byWeight.get(l.weight) ?? []), l.node.name]);
  for (const names of byWeight.values()) {
    if (names.length < 2) continue;
    clusters.union(names);
    clusters.union(names.flatMap((n) => previousLayers(graph.node(n)!)).filter((p) => !names.includes(p)));
  }
  return decide(flow, layers, clusters.sets(), opts);
}

function decide(flow: Flow, layers: Map<string, LayerInfo>, sets: string[][], opts: GroupOptions): GroupAnalysis {
  const can = analyseModel(flow, layers);
  const reason = new Map<string, string>();
  const first = new Set(firstLayers(flow, layers));
  for (const l of layers.values()) {
    const r = whyNot(l, can, first, opts);
    if (r) reason.set(l.node.name, r);
  }
  const blockSet = (set: string[], why: string) => {
    for (const m of set) if (!reason.has(m)) reason.set(m, why);
  };
  for (const set of sets) {
    if (set.some((m) => reason.has(m))) blockSet(set, 'in a group with an unprunable layer');
    const c = layers.get(set[0])!.outChannels;
    if (set.some((m) => layers.get(m)!.outChannels !== c)) blockSet(set, 'members have different filter counts');
  }
  // symbolic masks: every candidate's map must end in layers that take exactly its channels
  const closing = [...layers.values()].filter((l) => !l.grouped && !l.batched);
  const ids = new Map(closing.map((l, i) => [l.node.name, i]));
  const byId = closing.map((l) => l.node.name);
  const prop = propagateMaps(flow, layers, (l) => (ids.has(l.node.name) && !reason.has(l.node.name) ? sourceMap(ids.get(l.node.name)!, l.outChannels) : null));
  // sources joined by an elementwise op are closed (or blocked) together
  const tied = new UnionFind();
  byId.forEach((_, i) => tied.add(String(i)));
  for (const maps of prop.joins) tied.union(maps.flatMap((m) => sourcesOf(m).map(String)));
  const members = new Map<string, number[]>();
  for (const set of tied.sets()) for (const k of set) members.set(k, set.map(Number));
  const expand = (m: ChannelMap) => [...new Set(sourcesOf(m).flatMap((s) => members.get(String(s))!))];
  const closed = new Map<number, boolean>();
  for (const [name, map] of prop.consumed) {
    const l = layers.get(name)!;
    if (l.grouped || l.batched) continue;
    for (const s of expand(map)) closed.set(s, (closed.get(s) ?? true) && l.inChannels === map.source.length);
  }
  const fail = (maps: ChannelMap[], why: string) => {
    for (const m of maps) for (const s of expand(m)) if (!reason.has(byId[s])) reason.set(byId[s], why);
  };
  fail(prop.atOutputs, 'its filters reach a model output');
  for (const c of prop.conflicts) fail(c.maps, c.reason);
  for (const [s, ok] of closed) if (!ok && !reason.has(byId[s])) reason.set(byId[s], 'a consumer expects another channel count');
  for (const [name, i] of ids) if (!reason.has(name) && !closed.has(i)) reason.set(name, 'no layer takes its filters as inputs');
  const groups: PruningGroup[] = [];
  const refused: GroupAnalysis['refused'] = [];
  const order = (a: string, b: string) => flow.order.get(a)! - flow.order.get(b)!;
  for (const set of sets.map((s) => [...s].sort(order)).sort((a, b) => order(a[0], b[0]))) {
    const why = set.filter((m) => reason.has(m)).map((m) => `${m}: ${reason.get(m)}`);
    if (why.length) refused.push({ members: set, reasons: why });
    else groups.push({ id: groups.length, members: set.map((m) => layers.get(m)!), channels: layers.get(set[0])!.outChannels });
  }
  return { flow, layers, groups, refused };
}

function whyNot(l: LayerInfo, can: Map<string, boolean>, first: Set<string>, opts: GroupOptions): string | undefined {
  const name = l.node.name;
  if (!shouldConsiderScope(name, { ignoredScopes: opts.ignoredScopes, targetScopes: opts.targetScopes })) return 'ignored scope';
  if (!opts.pruneFirst && first.has(name)) return 'first convolution (prune_first_conv is false)';
  if (l.grouped && !l.depthwise) return 'grouped convolution';
  if (!opts.pruneDownsample && l.kind === 'conv' && !l.transposed && l.strides.some((s) => s !== 1)) return 'downsampling convolution (prune_downsample_convs is false)';
  if (l.batched) return 'batched linear layer';
  if (!can.get(name)) return 'a following op cannot take pruned channels';
  return undefined;
}

/** NNCF get_first_nodes_of_type: the layers (or stop ops) reached first from the model inputs. */
function firstLayers(flow: Flow, layers: Map<string, LayerInfo>): string[] {
  const isTracked = (n: GraphNode) => layers.has(n.name) || traitOf(n).family === 'stop';
  const inputs = new Set(flow.graph.inputs.map((t) => t.name));
  const starts = flow.nodes.filter((n) => n.inputs.some((t) => inputs.has(t)));
  const seen = new Set<string>();
  const found: string[] = [];
  const stack = [...starts];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n.name)) continue;
    seen.add(n.name);
    if (isTracked(n)) found.push(n.name);
    else stack.push(...flow.next(n));
  }
  return found.filter((n) => layers.has(n));
}
