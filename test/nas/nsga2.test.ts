/**
 * BootstrapNAS search (src/algorithms/nas/search/): Pareto ranking and crowding distance checked by
 * hand, the integer operators' invariants, NSGA-II converging to a known front on an integer problem
 * (seeded, reproducible, each design evaluated once), NNCF's subnet selection and search defaults.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/data/random.js';
import {
  crowdingDistance,
  dominance,
  effectiveAccDelta,
  extremePoints,
  intPolynomialMutation,
  intRandomSampling,
  intSbx,
  nonDominatedFronts,
  normalisedDistance,
  nsga2,
  ReferencePointSurvival,
  searchParams,
  selectSubnet,
} from '../../src/algorithms/nas/search/index.js';

describe('Pareto ranking', () => {
  it('dominance and fronts on a hand-checked set', () => {
    expect(dominance([1, 2], [2, 3])).toBe(1);
    expect(dominance([2, 3], [1, 2])).toBe(-1);
    expect(dominance([1, 3], [2, 2])).toBe(0);
    expect(dominance([1, 2], [1, 2])).toBe(0);
    expect(dominance([1, 2], [1, 3])).toBe(1);
    //            0       1       2       3       4       5
    const F = [[1, 5], [2, 3], [3, 4], [4, 1], [5, 5], [2, 3]];
    // front 0: 0, 1, 3, 5 (1 and 5 equal: neither dominates); front 1: 2 (by 1); front 2: 4 (by 2)
    expect(nonDominatedFronts(F)).toEqual([[0, 1, 3, 5], [2], [4]]);
  });

  it('crowding distance: extremes infinite, inner members the normalised neighbour gaps averaged over objectives', () => {
    const F = [[0, 10], [1, 6], [3, 3], [10, 0]];
    const d = crowdingDistance(F, [0, 1, 2, 3]);
    // member 1: f1 gap (3−0)/10, f2 gap (10−3)/10 → (0.3 + 0.7) / 2; member 2: (10−1)/10, (6−0)/10 → (0.9 + 0.6) / 2
    expect(d[0]).toBe(Infinity);
    expect(d[3]).toBe(Infinity);
    expect(d[1]).toBeCloseTo(0.5, 12);
    expect(d[2]).toBeCloseTo(0.75, 12);
    expect(crowdingDistance(F, [1, 2])).toEqual([Infinity, Infinity]);
  });
});

describe('integer operators', () => {
  const bounds = { xl: [0, 2, 5, -3], xu: [7, 2, 9, 3] };
  const inBounds = (x: number[]) => x.every((v, i) => Number.isInteger(v) && v >= bounds.xl[i] && v <= bounds.xu[i]);

  it('sampling covers every integer of the bounds uniformly', () => {
    const rng = new Random(1);
    const X = intRandomSampling(8000, bounds, rng);
    expect(X.every(inBounds)).toBe(true);
    const counts = new Array(8).fill(0);
    for (const x of X) counts[x[0]]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150); // binomial sd ≈ 30
    expect(X.every((x) => x[1] === 2)).toBe(true);
  });

  it('SBX keeps children integer and in bounds, returns the parents when it does not mate or they are equal', () => {
    const rng = new Random(2);
    const p1 = [0, 2, 9, -3];
    const p2 = [7, 2, 5, 3];
    let changed = 0;
    for (let i = 0; i < 500; i++) {
      const [c1, c2] = intSbx(p1, p2, bounds, 0.9, 10, rng);
      expect(inBounds(c1) && inBounds(c2)).toBe(true);
      if (c1.join() !== p1.join()) changed++;
    }
    expect(changed).toBeGreaterThan(100);
    expect(intSbx(p1, p2, bounds, 0, 10, rng)).toEqual([p1, p2]);
    expect(intSbx(p1, p1, bounds, 1, 10, rng)).toEqual([p1, p1]);
  });

  it('mutation: a design mutates with probability prob, then each variable with min(½, 1/n_var)', () => {
    const rng = new Random(3);
    const x = [4, 2, 7, 0];
    let mutated = 0;
    for (let i = 0; i < 4000; i++) {
      const y = intPolynomialMutation(x, bounds, 0.5, 3, rng);
      expect(inBounds(y)).toBe(true);
      if (y.join() !== x.join()) mutated++;
    }
    // P(design changes) ≤ 0.5 · (1 − (3/4)^3) (3 free variables at 1/4 each, a draw may round back) ≈ 0.29
    expect(mutated / 4000).toBeGreaterThan(0.12);
    expect(mutated / 4000).toBeLessThan(0.3);
    expect(intPolynomialMutation(x, bounds, 0, 3, rng)).toEqual(x);
  });
});

/** f1 = x0 (MACs-like), f2 = (20 − x0) + x1 + x2: the Pareto set is x1 = x2 = 0, every x0 in 0..20. */
function problem() {
  let calls = 0;
  const evaluate = (x: readonly number[]) => {
    calls++;
    return [x[0], 20 - x[0] + x[1] + x[2]];
  };
  return { evaluate, calls: () => calls, bounds: { xl: [0, 0, 0], xu: [20, 10, 10] } };
}

describe('NSGA-II', () => {
  const params = { population: 40, generations: 40, crossoverProb: 0.9, crossoverEta: 10, mutationProb: 0.3, mutationEta: 3, seed: 0 };

  it('converges to the known Pareto set, evaluating each design once', async () => {
    const p = problem();
    const r = await nsga2(p.bounds, p.evaluate, params);
    expect(r.population).toHaveLength(40);
    expect(p.calls()).toBe(r.evaluated.length);
    expect(new Set(r.evaluated.map((e) => e.x.join())).size).toBe(r.evaluated.length);
    expect(r.evaluated.length).toBeLessThanOrEqual(40 * 40);
    for (const i of r.front) expect([i.x[1], i.x[2]]).toEqual([0, 0]);
    expect(new Set(r.front.map((i) => i.x[0])).size).toBeGreaterThanOrEqual(18); // of the 21 Pareto designs
    // the front is sorted by the first objective
    expect(r.front.map((i) => i.F[0])).toEqual([...r.front.map((i) => i.F[0])].sort((a, b) => a - b));
  }, 120_000);

  it('is reproducible from its seed', async () => {
    const a = await nsga2(problem().bounds, problem().evaluate, params);
    const b = await nsga2(problem().bounds, problem().evaluate, params);
    const c = await nsga2(problem().bounds, problem().evaluate, { ...params, seed: 1 });
    expect(b.evaluated).toEqual(a.evaluated);
    expect(c.evaluated).not.toEqual(a.evaluated);
  }, 120_000);

  it('stops when a small space is exhausted', async () => {
    const r = await nsga2({ xl: [0, 0], xu: [2, 1] }, (x) => [x[0], -x[1]], { ...params, population: 4, generations: 50 });
    expect(r.evaluated.length).toBeLessThanOrEqual(6);
    expect(r.front.map((i) => i.x)).toEqual([[0, 1]]);
  }, 120_000);

  it('refuses bad parameters and bounds', async () => {
    const p = problem();
    await expect(nsga2(p.bounds, p.evaluate, { ...params, population: 1 })).rejects.toThrow(/population must be an integer ≥ 2/);
    await expect(nsga2(p.bounds, p.evaluate, { ...params, generations: 0 })).rejects.toThrow(/generations/);
    await expect(nsga2({ xl: [], xu: [] }, p.evaluate, params)).rejects.toThrow(/search space is empty/);
    await expect(nsga2({ xl: [3], xu: [1] }, p.evaluate, params)).rejects.toThrow(/variable 0 has bounds \[3, 1\]/);
  });
});

describe("NNCF's search parameters and subnet choice", () => {
  it('defaults: population 40, 3000 evaluations = 75 generations, SBX 0.9/10, PM 0.02/3, acc_delta 1, ref_acc −1, seed 0', () => {
    expect(searchParams()).toEqual({
      algorithm: 'NSGA2',
      reference: undefined,
      population: 40,
      numEvals: 3000,
      generations: 75,
      crossoverProb: 0.9,
      crossoverEta: 10,
      mutationProb: 0.02,
      mutationEta: 3,
      accDelta: 1,
      refAcc: -1,
      bnAdaptationSamples: 2000,
      seed: 0,
    });
    expect(searchParams({ batchnorm_adaptation: { num_bn_adaptation_samples: 300 } }).bnAdaptationSamples).toBe(300);
    expect(() => searchParams({ num_constraints: 1 })).toThrow(/num_constraints 1: constrained search is not built/);
    expect(() => searchParams({ compression: { algorithm: 'knowledge_distillation' } })).toThrow(/search.compression \(knowledge distillation while evaluating subnets\) is not built/);
    // num_evals rounded down to a multiple of the population
    expect(searchParams({ num_evals: 130, population: 40 })).toMatchObject({ numEvals: 120, generations: 3 });
  });

  it('errors: population above num_evals, unknown algorithm', () => {
    expect(() => searchParams({ num_evals: 10, population: 40 })).toThrow(/population \(40\) must not be greater than num_evals \(10\)/);
    expect(() => searchParams({ algorithm: 'MOEAD' })).toThrow(/algorithm "MOEAD" is not a search algorithm of NNCF/);
  });

  it('the chosen subnet: accuracy strictly above ref_acc − acc_delta, then the lowest efficiency first reached', () => {
    const evaluated = [
      { x: [0], efficiency: 50, accuracy: 75.5 },
      { x: [1], efficiency: 30, accuracy: 74.9 }, // 74.9 > 74? yes — best so far
      { x: [2], efficiency: 20, accuracy: 74 }, // not strictly above 74
      { x: [3], efficiency: 30, accuracy: 76 }, // equal efficiency: the first one stays
      { x: [4], efficiency: 25, accuracy: 74.01 },
    ];
    expect(selectSubnet(evaluated, 75, 1)?.x).toEqual([4]);
    expect(selectSubnet(evaluated, 80, 1)).toBeNull();
    const warnings: string[] = [];
    expect(effectiveAccDelta(80, (m) => warnings.push(m))).toBe(50);
    expect(effectiveAccDelta(3, (m) => warnings.push(m))).toBe(3);
    expect(warnings).toEqual(['bootstrapNAS.search.acc_delta 80 is greater than 5 (capped at 50, as NNCF does)']);
  });
});

describe('R-NSGA-II', () => {
  it('survival: crowding = best rank of the normalised weighted distance to an aspiration point, ε-clearing when a front is split', () => {
    // one front of 4 designs on f1 + f2 = 10; ideal (0, 0), nadir (10, 10) from the front; aspiration point (2, 8)
    const pool = [[0, 10], [2, 8], [2.005, 7.995], [10, 0]].map((F, i) => ({ x: [i], F }));
    const s = new ReferencePointSurvival({ refPoints: [[2, 8]], epsilon: 0.01, extremePointsAsRefPoints: false });
    const kept = s.survive(pool, 3, new Random(0));
    // distances to (2, 8): sqrt(2·(½·0.04 + ½·0.04)) = 0.2828 for design 0, 0 for 1, 0.000707 for 2, 1.131 for 3 → ranks 2, 0, 1, 3;
    // split front: design 1 kept first, design 2 is within ε of it → 1 + round(4/2) = 3; so 1, 0 (rank 2), then 2 or 3 (both 3: by position → 2)
    expect(kept.map((i) => i.x[0])).toEqual([1, 0, 2]);
    expect(kept.map((i) => i.crowding)).toEqual([-0, -2, -3]);
    const d = normalisedDistance([[0, 10]], [[2, 8]], [0.5, 0.5], [0, 0], [10, 10])[0][0];
    expect(d).toBeCloseTo(Math.sqrt(2 * (0.5 * 0.04 + 0.5 * 0.04)), 12);
  });

  it('extreme points: per objective the design with the smallest ASF, added to the reference points each generation', () => {
    const F = [[0, 10], [2, 8], [10, 0]];
    expect(extremePoints(F, [0, 0])).toEqual([[10, 0], [0, 10]]); // axis 0: the largest f1 with f2 at its ideal
    const s = new ReferencePointSurvival({ refPoints: [[0, 0]], epsilon: 0.001, extremePointsAsRefPoints: true });
    s.survive(F.map((f, i) => ({ x: [i], F: f })), 3, new Random(0));
    expect(s.referencePoints).toEqual([[0, 0], [10, 0], [0, 10]]);
  });

  it('the search concentrates near the aspiration point', async () => {
    const p = problem();
    const survival = new ReferencePointSurvival({ refPoints: [[5, 15]], epsilon: 0.001, extremePointsAsRefPoints: false });
    const params = { population: 10, generations: 30, crossoverProb: 0.9, crossoverEta: 10, mutationProb: 0.3, mutationEta: 3, seed: 0 };
    const r = await nsga2(p.bounds, p.evaluate, params, (pool, size, rng) => survival.survive(pool, size, rng));
    const x0 = r.front.map((i) => i.x[0]);
    // the 10 survivors are the Pareto designs nearest f1 = 5 (measured: 0..9), not spread over 0..20 as NSGA-II's
    expect(x0).toContain(5);
    expect(Math.max(...x0)).toBeLessThanOrEqual(10);
    expect(r.front.find((i) => i.x[0] === 5)?.crowding).toBe(-0); // the closest design has the best (negated) rank
    for (const i of r.front) expect([i.x[1], i.x[2]]).toEqual([0, 0]);
  }, 120_000);

  it('parameters: RNSGA2 defaults, R-NSGA-II keys under NSGA2 warned about, errors', () => {
    expect(searchParams({ algorithm: 'RNSGA2' }).reference).toEqual({ aspirationPoints: [[0, 0]], epsilon: 0.001, weights: undefined, extremePointsAsRefPoints: false });
    expect(searchParams({ algorithm: 'RNSGA2', weights: 0.5 }).reference?.weights).toEqual([0.5, 0.5]);
    const warnings: string[] = [];
    expect(searchParams({ epsilon: 0.1 }, (m) => warnings.push(m)).reference).toBeUndefined();
    expect(warnings).toEqual(['bootstrapNAS.search: epsilon apply to algorithm "RNSGA2" only; NSGA2 ignores them (as NNCF does)']);
    expect(() => new ReferencePointSurvival({ refPoints: [], epsilon: 0.001, extremePointsAsRefPoints: false })).toThrow(/at least one aspiration point/);
    const s = new ReferencePointSurvival({ refPoints: [[0, 0, 0]], epsilon: 0.001, extremePointsAsRefPoints: false });
    expect(() => s.survive([{ x: [0], F: [1, 2] }], 1, new Random(0))).toThrow(/has 3 coordinates for 2 objectives/);
  });
});
