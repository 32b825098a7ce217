/**
 * NNCF's automatic search for skippable building blocks (search_blocks.py, get_building_blocks with
 * the KEEP_SEQUENTIAL strategy that elastic depth uses). A block runs from a start op (executed) to an
 * end op whose output, when the block is skipped, is replaced by the start op's output; so the two
 * shapes match, the block has one input and one output, and it holds `min_block_size`..`max_block_size`
 * ops counted by execution order. Candidates are sorted, de-duplicated, and overlapping ones dropped;
 * blocks that follow each other (one's end is the next one's start) form a dependency group.
 */
import type { Graph } from '../../../graph/index.js';
import { noActivationDuplication, noDuplicateEdges, noHangingEdges } from './block-rules.js';
import { MODEL_OUTPUT_TYPE, type OpGraph } from './op-graph.js';
import { nonOverlappingSequential } from './overlap.js';
import { bottomId, buildSearchGraph, mainId, type SearchNode } from './search-graph.js';

export class BlockSearchError extends Error {
  override name = 'BlockSearchError';
}

export interface BuildingBlock {
  /** Graph node names (the start op is executed; the end op's output is replaced). */
  start: string;
  end: string;
}

export interface FoundBlock extends BuildingBlock {
  /** Execution-order ids of the start and end op (NNCF's ordinal_ids). */
  ordinalIds: [number, number];
  /** Ops skipped with the block (between start and end, end included). */
  numOps: number;
}

export interface BlockSearchOptions {
  minBlockSize?: number;
  maxBlockSize?: number;
  hwFusedOps?: boolean;
}

export interface BlockSearchResult {
  blocks: FoundBlock[];
  /** NNCF's group_dependent: group index → block indexes in order. */
  groups: number[][];
}

/** Dropout and the model outputs never start or end a block (NNCF's IgnoredNameOperators). */
const IGNORED_TYPES = new Set(['Dropout', MODEL_OUTPUT_TYPE]);

interface Candidate {
  first: SearchNode;
  end: SearchNode;
}

const numOpsInBlock = (first: SearchNode, end: SearchNode) => bottomId(end) - mainId(first) - (first.dummy ? 1 : 0);

export function findBuildingBlocks(graph: Graph, opts: BlockSearchOptions = {}): BlockSearchResult {
  const minSize = opts.minBlockSize ?? 5;
  const maxSize = opts.maxBlockSize ?? 50;
  if (minSize > maxSize)
    throw new BlockSearchError(
      `bootstrapNAS elasticity.depth: min_block_size ${minSize} can not be more than max_block_size ${maxSize}`,
    );
  const { sgraph: g, ops } = buildSearchGraph(graph, opts.hwFusedOps ?? true);

  // Nodes by the shape on their first input edge and on their first output edge (dummies: input only).
  const byInput = new Map<string, SearchNode[]>();
  const byOutput = new Map<string, SearchNode[]>();
  const add = (m: Map<string, SearchNode[]>, shape: string, n: SearchNode) => m.set(shape, [...(m.get(shape) ?? []), n]);
  for (const n of g.nodes.values()) {
    const out = g.succ.get(n.key)!.values().next();
    if (!out.done && !n.dummy) add(byOutput, out.value, n);
    const inp = g.pred.get(n.key)!.values().next();
    if (!inp.done) add(byInput, inp.value, n);
  }

  const candidates: Candidate[] = [];
  for (const [shape, firsts] of byInput)
    for (const first of firsts) {
      if ((!first.merged && IGNORED_TYPES.has(first.types[0])) || g.prev(first.key).length !== 1) continue;
      for (const end of byOutput.get(shape) ?? []) {
        if (mainId(end) <= mainId(first)) continue;
        if (!end.merged && IGNORED_TYPES.has(end.types[0])) continue;
        const size = numOpsInBlock(first, end);
        if (size > maxSize || size < minSize) continue;
        if (noDuplicateEdges(g, first, end) && noActivationDuplication(g, first, end) && noHangingEdges(g, first, end))
          candidates.push({ first, end });
      }
    }

  candidates.sort(
    (a, b) => bottomId(a.end) - bottomId(b.end) || mainId(a.first) - mainId(b.first) || numOpsInBlock(a.first, a.end) - numOpsInBlock(b.first, b.end),
  );
  const seen = new Set<string>();
  const unique = candidates.filter((c) => {
    const key = `${mainId(c.first)}:${mainId(c.end)}`;
    const fresh = !seen.has(key);
    seen.add(key);
    return fresh;
  });

  const startIds = unique.map((c) => startOpId(c.first, ops));
  const endIds = unique.map((c) => bottomId(c.end));
  const keep = nonOverlappingSequential(startIds, endIds);
  const blocks: FoundBlock[] = [];
  unique.forEach((_, i) => {
    if (!keep.has(i)) return;
    blocks.push({
      start: ops.nodes[startIds[i]].name,
      end: ops.nodes[endIds[i]].name,
      ordinalIds: [startIds[i], endIds[i]],
      numOps: endIds[i] - startIds[i],
    });
  });
  return { blocks, groups: groupDependentBlocks(blocks) };
}

/** The op before the first skipped one (NNCF's get_start_node_id, on the unmerged graph). */
function startOpId(first: SearchNode, ops: OpGraph): number {
  const id = mainId(first);
  if (ops.inputIds.has(id) || first.dummy) return id;
  const before = ops.pred[id];
  if (before.length !== 1) throw new BlockSearchError(`building block should have a single input, but it has ${before.length} inputs`);
  return before[0];
}

/** Blocks that follow each other (this one's end is the next one's start) share a group (NNCF's order). */
export function groupDependentBlocks(blocks: readonly BuildingBlock[]): number[][] {
  if (!blocks.length) return [];
  const groups: number[][] = [[]];
  for (let i = 0; i < blocks.length - 1; i++) {
    groups[groups.length - 1].push(i);
    if (blocks[i + 1].start !== blocks[i].end) groups.push([]);
  }
  groups[groups.length - 1].push(blocks.length - 1);
  return groups;
}
