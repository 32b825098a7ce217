/**
 * NSGA-II's integer operators with pymoo's semantics, as NNCF v2.19's search configures them: uniform
 * integer sampling, SBX and polynomial mutation computed on floats and rounded (RoundingRepair) inside
 * the bounds. Our own seeded stream replaces numpy's, so runs are
 * reproducible here but not draw-for-draw equal to pymoo's.
 */
import type { Random } from '../../../data/random.js';
import { dominance } from './nondominated.js';

export interface Bounds {
  xl: readonly number[];
  xu: readonly number[];
}

const clampRound = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));

/** Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, rng: Random): number[] {
  const p = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** n designs, every variable uniform over the integers of its bounds (NNCF's FixIntegerRandomSampling). */
export function intRandomSampling(n: number, b: Bounds, rng: Random): number[][] {
  return Array.from({ length: n }, () => b.xl.map((lo, v) => lo + rng.int(b.xu[v] - lo + 1)));
}

/**
 * Simulated binary crossover (Deb & Agrawal) of two parents into two children: with probability
 * `prob` the pair mates; then each variable crosses with probability ½ (unless the parents are equal
 * there or the bounds are), spread by the distribution index `eta`, and the two children exchange that
 * variable with probability ½. Children are clamped to the bounds and rounded.
 */
export function intSbx(p1: readonly number[], p2: readonly number[], b: Bounds, prob: number, eta: number, rng: Random): [number[], number[]] {
  const c1 = [...p1];
  const c2 = [...p2];
  if (rng.float() >= prob) return [c1, c2];
  for (let v = 0; v < p1.length; v++) {
    if (rng.float() >= 0.5) continue;
    if (Math.abs(p1[v] - p2[v]) <= 1e-14 || b.xl[v] === b.xu[v]) continue;
    const y1 = Math.min(p1[v], p2[v]);
    const y2 = Math.max(p1[v], p2[v]);
    const delta = y2 - y1;
    const u = rng.float();
    const betaq = (beta: number): number => {
      const alpha = 2 - Math.pow(beta, -(eta + 1));
      return u <= 1 / alpha ? Math.pow(u * alpha, 1 / (eta + 1)) : Math.pow(1 / (2 - u * alpha), 1 / (eta + 1));
    };
    const lowChild = 0.5 * (y1 + y2 - betaq(1 + (2 * (y1 - b.xl[v])) / delta) * delta);
    const highChild = 0.5 * (y1 + y2 + betaq(1 + (2 * (b.xu[v] - y2)) / delta) * delta);
    // each child stays on its parent's side, then the pair is exchanged with probability ½
    let a = p1[v] <= p2[v] ? lowChild : highChild;
    let c = p1[v] <= p2[v] ? highChild : lowChild;
    if (rng.float() < 0.5) [a, c] = [c, a];
    c1[v] = clampRound(a, b.xl[v], b.xu[v]);
    c2[v] = clampRound(c, b.xl[v], b.xu[v]);
  }
  return [c1, c2];
}

/**
 * Polynomial mutation (Deb & Goyal) as pymoo ≥ 0.6 applies it: the design mutates with probability
 * `prob` (NNCF's mutation_prob), and then each variable with probability min(½, 1 / n_var), spread by
 * `eta`; the result is clamped and rounded.
 */
export function intPolynomialMutation(x: readonly number[], b: Bounds, prob: number, eta: number, rng: Random): number[] {
  const y = [...x];
  if (rng.float() >= prob) return y;
  const probVar = Math.min(0.5, 1 / x.length);
  for (let v = 0; v < x.length; v++) {
    if (rng.float() >= probVar || b.xl[v] === b.xu[v]) continue;
    const range = b.xu[v] - b.xl[v];
    const d1 = (x[v] - b.xl[v]) / range;
    const d2 = (b.xu[v] - x[v]) / range;
    const pow = 1 / (eta + 1);
    const u = rng.float();
    const dq =
      u <= 0.5
        ? Math.pow(2 * u + (1 - 2 * u) * Math.pow(1 - d1, eta + 1), pow) - 1
        : 1 - Math.pow(2 * (1 - u) + 2 * (u - 0.5) * Math.pow(1 - d2, eta + 1), pow);
    y[v] = clampRound(x[v] + dq * range, b.xl[v], b.xu[v]);
  }
  return y;
}

export interface Ranked {
  rank: number;
  crowding: number;
  F: readonly number[];
}

/**
 * NSGA-II's binary tournament as pymoo runs it ("comp_by_dom_and_crowding"): a dominating candidate
 * wins; otherwise the larger crowding distance; otherwise a coin.
 */
export function binaryTournament(pop: readonly Ranked[], a: number, b: number, rng: Random): number {
  const rel = dominance(pop[a].F, pop[b].F);
  if (rel !== 0) return rel === 1 ? a : b;
  if (pop[a].crowding !== pop[b].crowding) return pop[a].crowding > pop[b].crowding ? a : b;
  return rng.float() < 0.5 ? a : b;
}
