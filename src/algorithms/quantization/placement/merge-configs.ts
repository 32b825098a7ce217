import { qconfigKey, type QuantizerConfig } from '../../../hardware/index.js';

/**
 * NNCF MERGE_ALL_IN_ONE at a branching point: the merged quantizer may use only configs every branch
 * allows. Configs are ordered by a vote (sum of their positions in the branch lists); ties prefer
 * higher bit width, then per-tensor, then symmetric. Returns undefined when no config is common.
 */
export function mergeBranchConfigs(lists: readonly (readonly QuantizerConfig[])[]): QuantizerConfig[] | undefined {
  if (lists.length === 0) return undefined;
  const keysPerList = lists.map((l) => l.map(qconfigKey));
  const union = new Map<string, QuantizerConfig>();
  for (const l of lists) for (const q of l) if (!union.has(qconfigKey(q))) union.set(qconfigKey(q), q);
  const common = [...union.entries()].filter(([k]) => keysPerList.every((ks) => ks.includes(k)));
  if (common.length === 0) return undefined;
  const scored = common.map(([k, q]) => ({ q, priority: keysPerList.reduce((sum, ks) => sum + ks.indexOf(k), 0) }));
  scored.sort((a, b) => a.priority - b.priority || tieBreak(a.q, b.q));
  return scored.map((x) => x.q);
}

function tieBreak(a: QuantizerConfig, b: QuantizerConfig): number {
  if (a.bits !== b.bits) return b.bits - a.bits;
  if (a.perChannel !== b.perChannel) return a.perChannel ? 1 : -1;
  if (a.mode !== b.mode) return a.mode === 'symmetric' ? -1 : 1;
  return 0;
}

/** Configs common to every list, in the first list's order (unified-scale groups must agree). */
export function intersectConfigs(lists: readonly (readonly QuantizerConfig[])[]): QuantizerConfig[] {
  if (lists.length === 0) return [];
  const rest = lists.slice(1).map((l) => new Set(l.map(qconfigKey)));
  return lists[0].filter((q) => rest.every((s) => s.has(qconfigKey(q))));
}
