import type { Graph } from '../graph.js';
import type { GraphNode } from '../types.js';
import { constantTensors } from './constness.js';
import type { Metatype } from './metatype-table.js';
import { COMPOSITES, FUSED_PATTERNS, STEP_SETS, type Composite, type FusedPattern } from './patterns-data.js';

/** A matched fused pattern: its nodes in topological order; `output` is the tensor leaving the pattern. */
export interface FusedMatch {
  pattern: string;
  nodes: GraphNode[];
  output: string;
}

interface StepMatch {
  nodes: GraphNode[];
  exit: GraphNode;
  /** The tensor a composite reads as its input 'x', with the composite's nodes that may read it. */
  entry?: { tensor: string; readers: GraphNode[] };
}

/**
 * Finds fused patterns the way NNCF does: every candidate match of every pattern is collected,
 * larger matches win, and matches may not overlap. Matching is strict (NNCF `strict=True`): inner
 * tensors may not leave the pattern and non-first nodes may not read activations from outside
 * (except a composite's own input, e.g. swish's x).
 */
export function findFusedPatterns(
  graph: Graph,
  metatypes: ReadonlyMap<string, Metatype>,
  patterns: readonly FusedPattern[] = FUSED_PATTERNS,
): FusedMatch[] {
  const consts = constantTensors(graph);
  const order = new Map(graph.nodes.map((n, i) => [n.name, i]));
  const mt = (n: GraphNode) => metatypes.get(n.name) ?? 'Unknown';
  const candidates: FusedMatch[] = [];
  for (const pattern of patterns)
    for (const start of graph.nodes)
      for (const m of matchChain(graph, pattern, start, mt, consts)) {
        if (m.nodes.length < 2) continue;
        if (!isStrict(graph, m, consts)) continue;
        candidates.push({ pattern: pattern.name, nodes: m.nodes, output: m.exit.outputs[0] });
      }
  candidates.sort((a, b) => b.nodes.length - a.nodes.length || order.get(a.nodes[0].name)! - order.get(b.nodes[0].name)!);
  const taken = new Set<string>();
  const result: FusedMatch[] = [];
  for (const c of candidates) {
    if (c.nodes.some((n) => taken.has(n.name))) continue;
    for (const n of c.nodes) taken.add(n.name);
    c.nodes.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
    result.push(c);
  }
  return result.sort((a, b) => order.get(a.nodes[0].name)! - order.get(b.nodes[0].name)!);
}

type ChainMatch = { nodes: GraphNode[]; exit: GraphNode; entries: Map<GraphNode, string> };

function matchChain(
  graph: Graph,
  pattern: FusedPattern,
  start: GraphNode,
  mt: (n: GraphNode) => Metatype,
  consts: ReadonlySet<string>,
): ChainMatch[] {
  let partial: ChainMatch[] = [];
  for (const [i, stepName] of pattern.steps.entries()) {
    const step = STEP_SETS[stepName];
    const next: ChainMatch[] = [];
    const heads = i === 0 ? [undefined] : partial;
    for (const head of heads) {
      const entryTensor = head?.exit.outputs[0];
      const anchors = head ? graph.consumers(entryTensor!) : [start];
      for (const anchor of anchors) {
        const matches: StepMatch[] = [];
        if ((step.ops as readonly Metatype[]).includes(mt(anchor))) matches.push({ nodes: [anchor], exit: anchor });
        for (const c of step.composites) {
          const m = matchComposite(graph, COMPOSITES[c], anchor, entryTensor, mt, consts);
          if (m) matches.push(m);
        }
        for (const m of matches) {
          const entries = new Map(head?.entries ?? []);
          for (const r of m.entry?.readers ?? []) entries.set(r, m.entry!.tensor);
          next.push({ nodes: [...(head?.nodes ?? []), ...m.nodes], exit: m.exit, entries });
        }
      }
    }
    partial = next;
    if (partial.length === 0) break;
  }
  return partial;
}

/** Binds a composite's nodes, the first to `anchor`; 'x' binds to `entry` (or to an anchor input when entry is unset). */
function matchComposite(
  graph: Graph,
  composite: Composite,
  anchor: GraphNode,
  entry: string | undefined,
  mt: (n: GraphNode) => Metatype,
  consts: ReadonlySet<string>,
): StepMatch | undefined {
  const first = composite[0];
  if (!first.metatypes.includes(mt(anchor))) return undefined;
  const xCandidates = entry !== undefined ? [entry] : anchor.inputs.filter((t) => t !== '' && !consts.has(t));
  for (const x of xCandidates) {
    const bound = new Map<string, GraphNode>();
    if (!inputsFit(anchor, first.inputs, x, bound, consts)) continue;
    bound.set(first.id, anchor);
    if (bindRest(graph, composite, 1, x, bound, mt, consts)) {
      const nodes = composite.map((c) => bound.get(c.id)!);
      const readers = composite.filter((c) => c.inputs.includes('x')).map((c) => bound.get(c.id)!);
      return { nodes, exit: nodes[nodes.length - 1], entry: { tensor: x, readers } };
    }
  }
  return undefined;
}

function bindRest(
  graph: Graph,
  composite: Composite,
  k: number,
  x: string,
  bound: Map<string, GraphNode>,
  mt: (n: GraphNode) => Metatype,
  consts: ReadonlySet<string>,
): boolean {
  if (k === composite.length) return true;
  const spec = composite[k];
  const ref = spec.inputs.find((r) => r !== 'const')!;
  const source = ref === 'x' ? x : bound.get(ref)?.outputs[0];
  if (source === undefined) return false;
  const used = new Set([...bound.values()]);
  for (const cand of graph.consumers(source)) {
    if (used.has(cand) || !spec.metatypes.includes(mt(cand))) continue;
    if (!inputsFit(cand, spec.inputs, x, bound, consts)) continue;
    bound.set(spec.id, cand);
    if (bindRest(graph, composite, k + 1, x, bound, mt, consts)) return true;
    bound.delete(spec.id);
  }
  return false;
}

/** The node's activation inputs equal the referenced tensors as a multiset (order-insensitive); 'const' refs need constant inputs. */
function inputsFit(node: GraphNode, refs: readonly string[], x: string, bound: Map<string, GraphNode>, consts: ReadonlySet<string>): boolean {
  const ins = node.inputs.filter((t) => t !== '');
  const left = ins.filter((t) => !consts.has(t));
  const active = refs.filter((r) => r !== 'const');
  if (left.length !== active.length || ins.length - left.length < refs.length - active.length) return false;
  for (const r of active) {
    const t = r === 'x' ? x : bound.get(r)?.outputs[0];
    const i = t === undefined ? -1 : left.indexOf(t);
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
}

function isStrict(graph: Graph, m: ChainMatch, consts: ReadonlySet<string>): boolean {
  const inside = new Set(m.nodes);
  const produced = new Set(m.nodes.flatMap((n) => n.outputs));
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  for (const n of m.nodes) {
    if (n !== m.nodes[0])
      for (const t of n.inputs)
        if (t !== '' && !consts.has(t) && !produced.has(t) && m.entries.get(n) !== t) return false;
    if (n === m.exit) continue;
    for (const t of n.outputs) {
      if (t === '') continue;
      if (graphOutputs.has(t)) return false;
      if (graph.consumers(t).some((c) => !inside.has(c))) return false;
    }
  }
  return true;
}
