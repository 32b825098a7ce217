/**
 * Which subnet the search returns, as NNCF's SearchProblem keeps it: going through the evaluations in
 * order, a subnet whose accuracy is above `ref_acc − acc_delta` (strictly) and whose efficiency
 * objective (MACs) is strictly below the best so far becomes the best. None qualifying: NNCF warns and
 * returns the maximal subnet (`null` here; the caller activates the maximum).
 */
export interface SubnetScore {
  x: readonly number[];
  /** Efficiency objective (MACs in millions by default); lower is better. */
  efficiency: number;
  /** Top-1 accuracy in percent. */
  accuracy: number;
}

export function selectSubnet<T extends SubnetScore>(evaluated: readonly T[], refAcc: number, accDelta: number): T | null {
  const lowerBound = refAcc - accDelta;
  let best: T | null = null;
  for (const s of evaluated) if (s.accuracy > lowerBound && (best === null || s.efficiency < best.efficiency)) best = s;
  return best;
}

/** NNCF caps acc_delta at 50 (and warns above 5). */
export function effectiveAccDelta(accDelta: number, warn: (message: string) => void): number {
  const v = Math.min(accDelta, 50);
  if (v > 5) warn(`bootstrapNAS.search.acc_delta ${accDelta} is greater than 5${accDelta > 50 ? ' (capped at 50, as NNCF does)' : ''}`);
  return v;
}
