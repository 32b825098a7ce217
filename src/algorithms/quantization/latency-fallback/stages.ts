/**
 * Blocks for the latency check: residual stages. A stage ends where a single float tensor carries
 * everything the rest of the model needs (a "cut": after a residual Add, between plain conv layers).
 * Stages are the unit ORT's speed depends on — the Q/DQ pairs at a stage's edges and the integer
 * kernels inside it come and go together — and there are few of them, so measuring each stays cheap.
 * Consecutive stages are merged into at most `maxBlocks` blocks of about equal quantizer count.
 */
import type { Graph } from '../../../graph/index.js';
import type { QuantizerModule } from '../modules.js';

export interface LatencyBlock {
  /** `<first linear node> … <last linear node>` (or the first/last node when it has no weights). */
  name: string;
  /** Indexes into the module list given to `latencyBlocks`. */
  modules: number[];
  /** Nodes whose weights the block quantizes, in graph order. */
  weightedNodes: string[];
  /**
   * The block's own piece of the model: the float tensor live at the cut before it (the model inputs for
   * the first block) and at the cut after it (the model outputs for the last). The latency check times
   * this piece quantized vs float.
   */
  inputs: string[];
  outputs: string[];
}

/** Positions i (into graph.nodes) after which exactly one float activation tensor is live. */
export function stageCuts(graph: Graph): number[] {
  return stageCutTensors(graph).map((c) => c.position);
}

/** As stageCuts, with the one tensor live at each cut. */
export function stageCutTensors(graph: Graph): { position: number; tensor: string }[] {
  const pos = new Map(graph.nodes.map((n, i) => [n.name, i]));
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const lastUse = (t: string) => (outputs.has(t) ? Infinity : Math.max(-1, ...graph.consumers(t).map((c) => pos.get(c.name) ?? -1)));
  const isFloatActivation = (t: string) => !!t && !graph.isConstant(t) && !graph.initializers.has(t) && (graph.tensor(t)?.dtype ?? 'float32').startsWith('float');
  const live = new Map<string, number>();
  for (const i of graph.inputs) if (isFloatActivation(i.name)) live.set(i.name, lastUse(i.name));
  const cuts: { position: number; tensor: string }[] = [];
  graph.nodes.forEach((node, i) => {
    for (const [t, last] of live) if (last <= i) live.delete(t);
    for (const t of node.outputs) if (isFloatActivation(t) && lastUse(t) > i) live.set(t, lastUse(t));
    if (live.size === 1 && i < graph.nodes.length - 1) cuts.push({ position: i, tensor: [...live.keys()][0] });
  });
  return cuts;
}

/** Graph position of the earliest node a quantizer acts on (weights: their node; activations: the consumers). */
function positionOf(graph: Graph, m: QuantizerModule, pos: Map<string, number>): number {
  const last = graph.nodes.length - 1;
  const at = m.placed.points.map((p) => {
    if (p.kind === 'weight') return pos.get(p.node) ?? last;
    if (p.kind === 'input') return pos.get(p.consumer) ?? last; // a model-output quantizer has no consumer node
    const consumers = graph.consumers(p.tensor).map((c) => pos.get(c.name) ?? last);
    return consumers.length ? Math.min(...consumers) : last;
  });
  return Math.min(...at);
}

/**
 * `usableCut`: only cuts whose tensor passes are used (the latency check's pieces are cut at tensors the
 * exports still have: folding BN into its conv renames the conv's output, so a cut between them is gone).
 */
export function latencyBlocks(graph: Graph, modules: readonly QuantizerModule[], maxBlocks = 12, usableCut: (tensor: string) => boolean = () => true): LatencyBlock[] {
  if (!Number.isInteger(maxBlocks) || maxBlocks < 1) throw new Error(`latency check: maxBlocks must be a positive integer, got ${maxBlocks}`);
  const pos = new Map(graph.nodes.map((n, i) => [n.name, i]));
  const cutTensors = stageCutTensors(graph).filter((c) => usableCut(c.tensor));
  const cuts = cutTensors.map((c) => c.position);
  const stageOf = (p: number) => {
    let s = 0;
    while (s < cuts.length && p > cuts[s]) s++;
    return s;
  };
  const stages: number[][] = Array.from({ length: cuts.length + 1 }, () => []);
  modules.forEach((m, k) => stages[stageOf(positionOf(graph, m, pos))].push(k));
  const filled = stages.map((mods, stage) => ({ mods, stage })).filter((s) => s.mods.length > 0);
  const groups = filled.length <= maxBlocks ? filled.map((s) => ({ mods: s.mods, first: s.stage, last: s.stage })) : mergeEvenly(filled, maxBlocks);
  // stage s runs from cut s−1 (exclusive) to cut s: a block's input is the tensor at the cut before its first
  // stage; its output the one at the cut before the next block's first stage (the stages without
  // quantizers after it are its own: float in both exports), the model outputs for the last block
  const inputsOf = (first: number) => (first === 0 ? graph.inputs.map((i) => i.name) : [cutTensors[first - 1].tensor]);
  const outputsOf = (g: number) => (g === groups.length - 1 ? graph.outputs.map((o) => o.name) : [cutTensors[groups[g + 1].first - 1].tensor]);
  return groups.map((g, k) => ({ ...describe(graph, modules, g.mods, pos), inputs: inputsOf(g.first), outputs: outputsOf(k) }));
}

/** Consecutive stages into `count` groups, each closed at the stage boundary nearest its share of the quantizers. */
function mergeEvenly(stages: { mods: number[]; stage: number }[], count: number): { mods: number[]; first: number; last: number }[] {
  const total = stages.reduce((a, s) => a + s.mods.length, 0);
  const groups: { mods: number[]; first: number; last: number }[] = [];
  let cur: number[] = [];
  let first = stages[0].stage;
  let seen = 0;
  stages.forEach(({ mods: s, stage }, i) => {
    if (cur.length === 0) first = stage;
    cur.push(...s);
    seen += s.length;
    const stagesLeft = stages.length - i - 1;
    const groupsLeft = count - groups.length - 1;
    const share = (total * (groups.length + 1)) / count;
    const next = stages[i + 1]?.mods.length ?? 0;
    // close here when the share is reached, or when taking the next stage would overshoot it by more
    const closer = seen >= share || seen + next - share > share - seen;
    if ((closer || stagesLeft === groupsLeft) && groupsLeft > 0) {
      groups.push({ mods: cur, first, last: stage });
      cur = [];
    }
  });
  if (cur.length) groups.push({ mods: cur, first, last: stages[stages.length - 1].stage });
  return groups;
}

function describe(graph: Graph, modules: readonly QuantizerModule[], mods: number[], pos: Map<string, number>): Omit<LatencyBlock, 'inputs' | 'outputs'> {
  const weighted = [...new Set(mods.flatMap((k) => modules[k].placed.points.flatMap((p) => (p.kind === 'weight' ? [p.node] : []))))];
  weighted.sort((a, b) => (pos.get(a) ?? 0) - (pos.get(b) ?? 0));
  const span = weighted.length ? weighted : mods.map((k) => graph.nodes[Math.min(positionOf(graph, modules[k], pos), graph.nodes.length - 1)].name);
  const name = span.length > 1 ? `${span[0]} … ${span[span.length - 1]}` : span[0] ?? '(empty)';
  return { name, modules: [...mods].sort((a, b) => a - b), weightedNodes: weighted };
}
