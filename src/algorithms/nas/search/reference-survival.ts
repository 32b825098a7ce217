/**
 * R-NSGA-II's survival (Deb & Sundar 2006, as pymoo's RankAndModifiedCrowdingSurvival computes it):
 * fronts as NSGA-II, but inside a front the "crowding" is the rank of each design's normalised,
 * weighted distance to its nearest aspiration (reference) point; when a front is split, designs closer
 * than `epsilon` to an already kept one are pushed back by half the front size (ε-clearing), so the
 * survivors spread around each aspiration point. Normalisation "front": ideal and nadir of the first
 * front. Crowding is stored negated so NSGA-II's tournament (larger wins) prefers the closer design.
 */
import type { Random } from '../../../data/random.js';
import { nonDominatedFronts } from './nondominated.js';
import type { Individual } from './nsga2.js';

export interface ReferenceSurvivalOptions {
  /** Aspiration points in objective space (NNCF's aspiration_points, default [[0, 0]]). */
  refPoints: number[][];
  epsilon: number;
  /** Per-objective weights; default 1/n_obj each. */
  weights?: number[];
  /** Add the extreme points of each generation to the reference points (they accumulate, as in pymoo). */
  extremePointsAsRefPoints: boolean;
}

/** sqrt(n_w · Σ w_m ((a_m − b_m) / (nadir_m − ideal_m))²) for every pair. */
export function normalisedDistance(A: readonly (readonly number[])[], B: readonly (readonly number[])[], w: readonly number[], ideal: readonly number[], nadir: readonly number[]): number[][] {
  return A.map((a) =>
    B.map((b) => {
      let s = 0;
      for (let m = 0; m < a.length; m++) {
        const range = nadir[m] - ideal[m];
        const d = (a[m] - b[m]) / (range > 0 ? range : 1);
        s += d * d * w[m];
      }
      return Math.sqrt(s * w.length);
    }),
  );
}

/** pymoo's get_extreme_points_c: per objective, the design minimising the ASF with weight 1 on it and 1e6 elsewhere. */
export function extremePoints(F: readonly (readonly number[])[], ideal: readonly number[]): number[][] {
  const nObj = ideal.length;
  return Array.from({ length: nObj }, (_, axis) => {
    let best = 0;
    let bestAsf = Infinity;
    F.forEach((f, i) => {
      let asf = -Infinity;
      for (let m = 0; m < nObj; m++) {
        const v = f[m] - ideal[m] < 1e-3 ? 0 : f[m] - ideal[m];
        asf = Math.max(asf, v * (m === axis ? 1 : 1e6));
      }
      if (asf < bestAsf) {
        bestAsf = asf;
        best = i;
      }
    });
    return [...F[best]];
  });
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  return v - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(v);
}

/** Ranks (0 = smallest) of `values`, ties by position — numpy's argsort(argsort(·)) with a stable sort. */
function ranks(values: readonly number[]): number[] {
  const order = [...values.keys()].sort((a, b) => values[a] - values[b] || a - b);
  const r = new Array<number>(values.length);
  order.forEach((i, k) => (r[i] = k));
  return r;
}

export class ReferencePointSurvival {
  private refPoints: number[][];
  private ideal: number[] | null = null;
  private nadir: number[] | null = null;

  constructor(private readonly opts: ReferenceSurvivalOptions) {
    this.refPoints = opts.refPoints.map((p) => [...p]);
    if (!this.refPoints.length) throw new Error('R-NSGA-II needs at least one aspiration point');
  }

  /** The reference points in use (they grow each generation with extremePointsAsRefPoints). */
  get referencePoints(): readonly number[][] {
    return this.refPoints;
  }

  survive(pool: readonly { x: number[]; F: readonly number[] }[], size: number, rng: Random): Individual[] {
    void rng; // ties are broken by position, deterministically
    const F = pool.map((p) => p.F);
    const nObj = F[0].length;
    for (const p of this.refPoints)
      if (p.length !== nObj) throw new Error(`R-NSGA-II: aspiration point [${p.join(', ')}] has ${p.length} coordinates for ${nObj} objectives`);
    const w = this.opts.weights ?? new Array<number>(nObj).fill(1 / nObj);
    if (w.length !== nObj) throw new Error(`R-NSGA-II: ${w.length} weights for ${nObj} objectives`);
    const fronts = nonDominatedFronts(F);
    if (fronts[0].length > 1) {
      this.ideal = Array.from({ length: nObj }, (_, m) => Math.min(...fronts[0].map((i) => F[i][m])));
      this.nadir = Array.from({ length: nObj }, (_, m) => Math.max(...fronts[0].map((i) => F[i][m])));
    }
    const ideal = this.ideal ?? new Array<number>(nObj).fill(0);
    const nadir = this.nadir ?? new Array<number>(nObj).fill(1);
    if (this.opts.extremePointsAsRefPoints) this.refPoints.push(...extremePoints(F, ideal));
    const toRef = normalisedDistance(F, this.refPoints, w, ideal, nadir);
    const out: Individual[] = [];
    for (const [rank, front] of fronts.entries()) {
      const remaining = size - out.length;
      if (remaining <= 0) break;
      // per reference point, the rank of each member's distance; a member's crowding is its best rank
      const perRef = this.refPoints.map((_, r) => ranks(front.map((i) => toRef[i][r])));
      const ranking = front.map((_, k) => {
        let best = 0;
        for (let r = 1; r < perRef.length; r++) if (perRef[r][k] < perRef[best][k]) best = r;
        return perRef[best][k];
      });
      let crowding = ranking;
      let keep = [...front.keys()];
      if (front.length > remaining) {
        const members = front.map((i) => F[i]);
        const between = normalisedDistance(members, members, w, ideal, nadir);
        crowding = new Array<number>(front.length).fill(NaN);
        let open = [...front.keys()].sort((a, b) => ranking[a] - ranking[b] || a - b);
        while (open.length) {
          const k = open[0];
          crowding[k] = ranking[k];
          const group = open.filter((j) => j !== k && between[k][j] < this.opts.epsilon);
          for (const j of group) crowding[j] = ranking[j] + roundHalfEven(front.length / 2);
          open = open.filter((j) => j !== k && !group.includes(j));
        }
        keep = [...front.keys()].sort((a, b) => crowding[a] - crowding[b] || a - b).slice(0, remaining);
      }
      for (const k of keep) out.push({ x: pool[front[k]].x, F: pool[front[k]].F, rank, crowding: -crowding[k] });
    }
    return out;
  }
}
