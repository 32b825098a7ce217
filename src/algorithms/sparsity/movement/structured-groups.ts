/**
 * Which linear layers of a transformer lose whole rows/columns together (NNCF's structured-mask context
 * groups, found there by its block-aware pruning-group search), found on the graph:
 *  - attention: linears whose output is split into heads (a Reshape [..., H, dh] of their output) and
 *    the one linear all those heads reach through the attention ops, whose input merged the heads back:
 *    Q/K/V lose rows by blocks of dh (a head), the output projection the matching columns;
 *  - feed-forward: a linear whose output reaches exactly one other linear only through elementwise ops
 *    (activation, bias, scalars), nowhere else: the first loses rows, the second the matching columns.
 * A group is kept only when all its layers are sparsified, with matching sizes, and a per_dim layer's
 * axis equals its pruning dimension (0 rows, 1 columns); otherwise a reason is recorded (NNCF warns).
 */
import type { Graph, GraphNode } from '../../../graph/index.js';
import type { LinearLayer } from './layers.js';
import { reshapeTarget } from './reshape-target.js';

export interface GroupMember {
  layer: string;
  /** Rows (output features) or columns (input features) are pruned. */
  byRow: boolean;
}

export interface StructuredGroup {
  id: number;
  kind: 'attention' | 'ffn';
  /** Rows/columns per pruned unit: the head size for attention, 1 for feed-forward. */
  block: number;
  members: GroupMember[];
}

const ELEMENTWISE = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Relu', 'LeakyRelu', 'Gelu', 'Erf', 'Tanh', 'Sigmoid', 'HardSigmoid', 'HardSwish',
  'Softplus', 'Elu', 'Selu', 'Clip', 'Neg', 'Abs', 'Pow', 'Sqrt', 'Exp', 'Identity', 'Cast',
]);

function constant(graph: Graph, t: string): boolean {
  return t === '' || graph.isConstant(t);
}

/** The tensor a linear layer's output is read from: after its bias Add for a MatMul with one. */
function outputOf(l: LinearLayer): string {
  return l.biasAdd ? l.biasAdd.outputs[0] : l.node.outputs[0];
}

/**
 * Head size when `n` reshapes its input's last dim d into [..., H, dh] (H·dh = d); the shape may be
 * built at run time (PyTorch's x.size()[:-1] + (H, dh)) as long as H and dh are constants.
 */
function headSplit(graph: Graph, n: GraphNode, d: number): number | undefined {
  const shape = reshapeTarget(graph, n);
  if (!shape || shape.length < 2) return undefined;
  const [h, dh] = shape.slice(-2);
  return h !== undefined && dh !== undefined && h > 1 && dh > 0 && h * dh === d ? dh : undefined;
}

/** Linear layers reached forward from `start`, not going through linear layers; null if a model output is reached. */
function reachedLinears(graph: Graph, start: string, byNode: Map<GraphNode, LinearLayer>): Set<LinearLayer> | null {
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const found = new Set<LinearLayer>();
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (outputs.has(t)) return null;
    for (const c of graph.consumers(t)) {
      const l = byNode.get(c);
      if (l && c.inputs[0] === t) {
        found.add(l);
        continue;
      }
      stack.push(...c.outputs);
    }
  }
  return found;
}

/**
 * The feed-forward partner of `a`: the one linear its output reaches only through elementwise ops whose
 * other inputs are scalars or come from the same region; undefined otherwise.
 */
function ffnConsumer(graph: Graph, a: LinearLayer, byNode: Map<GraphNode, LinearLayer>): LinearLayer | undefined {
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const region = new Set<string>([outputOf(a)]);
  const stack = [outputOf(a)];
  let partner: LinearLayer | undefined;
  while (stack.length) {
    const t = stack.pop()!;
    if (outputs.has(t)) return undefined;
    for (const c of graph.consumers(t)) {
      const l = byNode.get(c);
      if (l) {
        if (c.inputs[0] !== t || (partner && partner !== l)) return undefined;
        partner = l;
        continue;
      }
      if (!ELEMENTWISE.has(c.opType) || c.outputs.length !== 1) return undefined;
      const out = c.outputs[0];
      if (region.has(out)) continue;
      region.add(out);
      stack.push(out);
    }
  }
  if (!partner) return undefined;
  // every input of a region op is in the region or a scalar constant (a per-channel constant would keep a pruned channel alive)
  for (const t of region) {
    const producer = graph.producer(t);
    if (!producer || producer === a.node || producer === a.biasAdd) continue;
    for (const i of producer.inputs) {
      if (region.has(i)) continue;
      if (!constant(graph, i)) return undefined;
      const c = graph.initializers.get(i);
      if (c && c.dims.reduce((x, y) => x * y, 1) !== 1) return undefined;
    }
  }
  return partner.shape[1] === a.shape[0] ? partner : undefined;
}

export interface GroupSearch {
  groups: StructuredGroup[];
  /** Groups found but not used, with why. */
  skipped: string[];
}

export function findStructuredGroups(
  graph: Graph,
  layers: readonly LinearLayer[],
  sparsified: ReadonlyMap<string, { structure: string; axis?: number }>,
): GroupSearch {
  const byNode = new Map(layers.map((l) => [l.node, l]));
  const candidates: Omit<StructuredGroup, 'id'>[] = [];
  const used = new Set<LinearLayer>();
  // attention: head-splitting linears grouped by the output projection they reach
  const byOutput = new Map<LinearLayer, { heads: LinearLayer[]; block: number }>();
  for (const l of layers) {
    const out = outputOf(l);
    const split = graph.consumers(out).map((c) => ({ c, dh: headSplit(graph, c, l.shape[0]) })).find((x) => x.dh !== undefined);
    if (!split) continue;
    const reached = reachedLinears(graph, split.c.outputs[0], byNode);
    if (!reached || reached.size !== 1) continue;
    const proj = [...reached][0];
    if (proj.shape[1] !== l.shape[0]) continue;
    const entry = byOutput.get(proj) ?? { heads: [], block: split.dh! };
    if (entry.block !== split.dh) continue;
    entry.heads.push(l);
    byOutput.set(proj, entry);
  }
  for (const [proj, { heads, block }] of byOutput) {
    candidates.push({ kind: 'attention', block, members: [...heads.map((h) => ({ layer: h.name, byRow: true })), { layer: proj.name, byRow: false }] });
    for (const h of heads) used.add(h);
    used.add(proj);
  }
  // feed-forward: producer → elementwise region → consumer
  for (const a of layers) {
    if (used.has(a)) continue;
    const b = ffnConsumer(graph, a, byNode);
    if (!b || used.has(b)) continue;
    candidates.push({ kind: 'ffn', block: 1, members: [{ layer: a.name, byRow: true }, { layer: b.name, byRow: false }] });
    used.add(a);
  }
  const groups: StructuredGroup[] = [];
  const skipped: string[] = [];
  for (const g of candidates) {
    const why = g.members
      .map((m) => {
        const s = sparsified.get(m.layer);
        if (!s) return `"${m.layer}" is not sparsified`;
        if (s.structure === 'per_dim' && s.axis !== (m.byRow ? 0 : 1))
          return `"${m.layer}" is per_dim along axis ${s.axis}, but the group prunes its ${m.byRow ? 'rows (axis 0)' : 'columns (axis 1)'}`;
        return undefined;
      })
      .find((x) => x !== undefined);
    if (why) skipped.push(`${g.kind} group [${g.members.map((m) => m.layer).join(', ')}]: ${why}`);
    else groups.push({ id: groups.length, ...g });
  }
  return { groups, skipped };
}
