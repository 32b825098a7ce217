/**
 * Overflow fix (spec/algorithms.md §5, config `overflow_fix`): on CPU/ANY targets 8-bit weight
 * quantizers use half range (7 effective bits, no narrow range) so int8×int8 sums cannot saturate
 * int16 on CPUs without VNNI. Placement flags each weight quantizer; these functions decide the
 * `halfRange` / `narrowRange` flags of its QuantizerSpec (levels and export follow from them).
 */
import type { Graph } from '../../graph/index.js';

export const OVERFLOW_FIX_VALUES = ['enable', 'disable', 'first_layer_only'] as const;
export type OverflowFix = (typeof OVERFLOW_FIX_VALUES)[number];
export const DEFAULT_OVERFLOW_FIX: OverflowFix = 'enable';

export class OverflowFixError extends Error {
  override name = 'OverflowFixError';
}

/** `overflow_fix` from the quantization section: absent → "enable"; anything else → error. */
export function parseOverflowFix(value: unknown, where = 'quantization.overflow_fix'): OverflowFix {
  if (value === undefined) return DEFAULT_OVERFLOW_FIX;
  if (!OVERFLOW_FIX_VALUES.includes(value as OverflowFix)) {
    throw new OverflowFixError(`${where}: unknown value ${JSON.stringify(value)}; expected one of ${OVERFLOW_FIX_VALUES.join(', ')}`);
  }
  return value as OverflowFix;
}

/** Only the CPU HW config (target_device CPU, or ANY which maps to it) gets the fix; default target is ANY. */
export function overflowFixAppliesTo(targetDevice: string | undefined): boolean {
  const device = targetDevice ?? 'ANY';
  return device === 'CPU' || device === 'ANY';
}

export interface WeightRangeQuery {
  overflowFix: OverflowFix;
  targetDevice: string | undefined;
  bits: number;
  /** The weight belongs to a first conv2d/conv3d (see `firstConvNodeNames`). */
  isFirstLayer: boolean;
}

export interface RangeFlags {
  halfRange: boolean;
  narrowRange: boolean;
}

/** NNCF `_get_half_range` + narrow range rule: 8-bit weights without half range are narrow. */
export function weightRangeFlags(q: WeightRangeQuery): RangeFlags {
  const eligible = overflowFixAppliesTo(q.targetDevice) && q.bits === 8;
  const halfRange =
    eligible && (q.overflowFix === 'enable' || (q.overflowFix === 'first_layer_only' && q.isFirstLayer));
  return { halfRange, narrowRange: q.bits === 8 && !halfRange };
}

/** Activation quantizers never use half or narrow range. */
export const ACTIVATION_RANGE_FLAGS: Readonly<RangeFlags> = Object.freeze({ halfRange: false, narrowRange: false });

/**
 * NNCF get_first_nodes_of_type: depth-first from each root with one shared `visited` set; a node
 * of the wanted type is recorded and not traversed further. Result: nodes of that type reachable
 * from a root along a path with no other node of that type.
 */
export function findFirstNodesOfType<N>(roots: Iterable<N>, successors: (n: N) => Iterable<N>, isTarget: (n: N) => boolean): N[] {
  const visited = new Set<N>();
  const found: N[] = [];
  const stack: N[] = [...roots].reverse();
  while (stack.length) {
    const n = stack.pop() as N;
    if (visited.has(n)) continue;
    visited.add(n);
    if (isTarget(n)) {
      found.push(n);
      continue;
    }
    const next = [...successors(n)];
    for (let i = next.length - 1; i >= 0; i--) if (!visited.has(next[i])) stack.push(next[i]);
  }
  return found;
}

/** Conv nodes whose weight has rank 4 or 5 (NNCF's conv2d / conv3d; conv1d is not included). */
function isConv2dOr3d(graph: Graph, nodeName: string): boolean {
  const node = graph.node(nodeName);
  if (!node || node.opType !== 'Conv' || node.domain !== '') return false;
  const rank = graph.tensor(node.inputs[1] ?? '')?.shape?.length;
  return rank === 4 || rank === 5;
}

/** Names of the first conv2d/conv3d nodes of the graph (`overflow_fix: first_layer_only`). */
export function firstConvNodeNames(graph: Graph): Set<string> {
  const roots = new Set<string>();
  for (const input of graph.inputs) {
    if (graph.initializers.has(input.name)) continue; // old ONNX files list weights as inputs
    for (const c of graph.consumers(input.name)) roots.add(c.name);
  }
  const successors = (name: string): string[] =>
    (graph.node(name)?.outputs ?? []).flatMap((t) => graph.consumers(t).map((c) => c.name));
  return new Set(findFirstNodesOfType(roots, successors, (n) => isConv2dOr3d(graph, n)));
}
