/**
 * Pareto ranking for NSGA-II (Deb et al. 2002, as pymoo computes it): fast non-dominated sorting into
 * fronts and the crowding distance inside a front. Every objective is minimised.
 */

/** 1 when a dominates b, -1 when b dominates a, 0 otherwise (equal or incomparable). */
export function dominance(a: readonly number[], b: readonly number[]): -1 | 0 | 1 {
  let aBetter = false;
  let bBetter = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) aBetter = true;
    else if (b[i] < a[i]) bBetter = true;
  }
  if (aBetter && !bBetter) return 1;
  if (bBetter && !aBetter) return -1;
  return 0;
}

/** Fronts of indices into F, best first; each front in ascending index order. */
export function nonDominatedFronts(F: readonly (readonly number[])[]): number[][] {
  const n = F.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominates: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const r = dominance(F[i], F[j]);
      if (r === 1) {
        dominates[i].push(j);
        dominatedBy[j]++;
      } else if (r === -1) {
        dominates[j].push(i);
        dominatedBy[i]++;
      }
    }
  const fronts: number[][] = [];
  let current = [...Array(n).keys()].filter((i) => dominatedBy[i] === 0);
  while (current.length) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current)
      for (const j of dominates[i]) if (--dominatedBy[j] === 0) next.push(j);
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/**
 * Crowding distance of each member of one front (same order as `front`): the extremes of every
 * objective are infinite; inner members add their neighbours' gap normalised by the objective's
 * range, averaged over the objectives. Fronts of at most two members are all infinite.
 */
export function crowdingDistance(F: readonly (readonly number[])[], front: readonly number[]): number[] {
  const n = front.length;
  if (n <= 2) return new Array<number>(n).fill(Infinity);
  const nObj = F[front[0]].length;
  const d = new Array<number>(n).fill(0);
  for (let m = 0; m < nObj; m++) {
    const order = [...Array(n).keys()].sort((a, b) => F[front[a]][m] - F[front[b]][m] || a - b);
    const lo = F[front[order[0]]][m];
    const hi = F[front[order[n - 1]]][m];
    d[order[0]] = Infinity;
    d[order[n - 1]] = Infinity;
    const range = hi - lo;
    if (range === 0) continue;
    for (let k = 1; k < n - 1; k++) d[order[k]] += (F[front[order[k + 1]]][m] - F[front[order[k - 1]]][m]) / range;
  }
  return d.map((v) => (Number.isFinite(v) ? v / nObj : v));
}
