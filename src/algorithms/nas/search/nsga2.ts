/**
 * NSGA-II over integer design variables (BootstrapNAS's subnet search; NNCF runs pymoo's NSGA2 with
 * int_lhs sampling, int_sbx crossover, int_pm mutation and duplicate elimination for
 * floor(num_evals / population) generations). Objectives are minimised; `evaluate` is called once per
 * distinct design (results are cached by design, as NNCF's evaluator handlers do).
 */
import { Random } from '../../../data/random.js';
import { crowdingDistance, nonDominatedFronts } from './nondominated.js';
import { binaryTournament, intRandomSampling, intPolynomialMutation, intSbx, permutation, type Bounds, type Ranked } from './operators.js';

export interface Nsga2Params {
  population: number;
  generations: number;
  crossoverProb: number;
  crossoverEta: number;
  mutationProb: number;
  mutationEta: number;
  seed: number;
}

export interface Individual extends Ranked {
  x: number[];
}

export interface Nsga2Result {
  /** Every distinct design evaluated, in evaluation order. */
  evaluated: { x: number[]; F: number[] }[];
  /** The last population with its rank and crowding distance. */
  population: Individual[];
  /** The last population's first front (rank 0), by the first objective. */
  front: Individual[];
}

export type Evaluate = (x: readonly number[]) => Promise<number[]> | number[];

/** Chooses `size` survivors of a pool and gives them rank and crowding (NSGA-II's or R-NSGA-II's rule). */
export type Survival = (pool: readonly { x: number[]; F: readonly number[] }[], size: number, rng: Random) => Individual[];

/** Mating gives up on finding new designs after this many rounds (pymoo's n_max_iterations). */
const MAX_MATING_ROUNDS = 100;

const key = (x: readonly number[]): string => x.join(',');

/** Rank-and-crowding survival: whole fronts while they fit, the split front by crowding distance (ties at random). */
export function rankAndCrowdingSurvival(pool: readonly { x: number[]; F: readonly number[] }[], size: number, rng: Random): Individual[] {
  const F = pool.map((p) => p.F);
  const out: Individual[] = [];
  for (const [rank, front] of nonDominatedFronts(F).entries()) {
    if (out.length >= size) break;
    const cd = crowdingDistance(F, front);
    let members = front.map((i, k) => ({ i, crowding: cd[k], tie: rng.float() }));
    if (out.length + members.length > size) members = members.sort((a, b) => b.crowding - a.crowding || a.tie - b.tie).slice(0, size - out.length);
    for (const m of members) out.push({ x: pool[m.i].x, F: pool[m.i].F, rank, crowding: m.crowding });
  }
  return out;
}

function checkParams(p: Nsga2Params, b: Bounds): void {
  if (!Number.isInteger(p.population) || p.population < 2) throw new Error(`NSGA-II: population must be an integer ≥ 2, got ${p.population}`);
  if (!Number.isInteger(p.generations) || p.generations < 1) throw new Error(`NSGA-II: the number of generations (num_evals / population) must be ≥ 1, got ${p.generations}`);
  if (b.xl.length === 0 || b.xl.length !== b.xu.length) throw new Error('NSGA-II: the search space is empty');
  b.xl.forEach((lo, v) => {
    if (!Number.isInteger(lo) || !Number.isInteger(b.xu[v]) || b.xu[v] < lo) throw new Error(`NSGA-II: variable ${v} has bounds [${lo}, ${b.xu[v]}]`);
  });
}

export async function nsga2(bounds: Bounds, evaluate: Evaluate, p: Nsga2Params, survive: Survival = rankAndCrowdingSurvival): Promise<Nsga2Result> {
  checkParams(p, bounds);
  const rng = new Random(p.seed);
  const cache = new Map<string, number[]>();
  const evaluated: { x: number[]; F: number[] }[] = [];
  const score = async (x: number[]): Promise<{ x: number[]; F: number[] }> => {
    const k = key(x);
    let F = cache.get(k);
    if (!F) {
      F = [...(await evaluate(x))];
      cache.set(k, F);
      evaluated.push({ x, F });
    }
    return { x, F };
  };
  // initial population: random designs, duplicates removed (a small space may give fewer than `population`)
  const seen = new Set<string>();
  const initial = intRandomSampling(p.population, bounds, rng).filter((x) => !seen.has(key(x)) && seen.add(key(x)));
  const first: { x: number[]; F: number[] }[] = [];
  for (const x of initial) first.push(await score(x));
  let pop = survive(first, p.population, rng);
  for (let gen = 1; gen < p.generations; gen++) {
    const known = new Set(pop.map((i) => key(i.x)));
    const offspring: number[][] = [];
    for (let round = 0; round < MAX_MATING_ROUNDS && offspring.length < p.population; round++) {
      const matings = Math.ceil((p.population - offspring.length) / 2);
      // tournament pairs drawn from concatenated permutations of the population
      const draws: number[] = [];
      while (draws.length < matings * 4) draws.push(...permutation(pop.length, rng));
      for (let m = 0; m < matings && offspring.length < p.population; m++) {
        const a = binaryTournament(pop, draws[4 * m], draws[4 * m + 1], rng);
        const b = binaryTournament(pop, draws[4 * m + 2], draws[4 * m + 3], rng);
        for (const child of intSbx(pop[a].x, pop[b].x, bounds, p.crossoverProb, p.crossoverEta, rng)) {
          const y = intPolynomialMutation(child, bounds, p.mutationProb, p.mutationEta, rng);
          if (known.has(key(y)) || offspring.length >= p.population) continue;
          known.add(key(y));
          offspring.push(y);
        }
      }
    }
    if (!offspring.length) break; // the space is exhausted
    const scored: { x: number[]; F: readonly number[] }[] = [...pop];
    for (const y of offspring) scored.push(await score(y));
    pop = survive(scored, p.population, rng);
  }
  const front = pop.filter((i) => i.rank === 0).sort((a, b) => a.F[0] - b.F[0] || a.F[1] - b.F[1]);
  return { evaluated, population: pop, front };
}
