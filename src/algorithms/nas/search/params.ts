/**
 * bootstrapNAS.search with NNCF's defaults (SearchParams.from_dict): population 40, num_evals 3000,
 * crossover 0.9 / eta 10, mutation 0.02 / eta 3, acc_delta 1, ref_acc −1, seed 0. A population above
 * num_evals is an error; num_evals is rounded down to a multiple of the population and
 * num_evals / population generations run, as in NNCF v2.19.
 */
import type { Nsga2Params } from './nsga2.js';

export interface SearchSection {
  algorithm?: string;
  num_evals?: number;
  population?: number;
  crossover_prob?: number;
  crossover_eta?: number;
  mutation_prob?: number;
  mutation_eta?: number;
  acc_delta?: number;
  ref_acc?: number;
  seed?: number;
  aspiration_points?: readonly (number | readonly number[])[];
  epsilon?: number;
  weights?: number | number[];
  extreme_points_as_ref_points?: boolean;
  num_constraints?: number;
  batchnorm_adaptation?: { num_bn_adaptation_samples?: number };
  compression?: unknown;
}

export interface SearchParams extends Nsga2Params {
  algorithm: 'NSGA2' | 'RNSGA2';
  numEvals: number;
  accDelta: number;
  refAcc: number;
  /** search.batchnorm_adaptation.num_bn_adaptation_samples (NNCF default 2000): BN adaptation of each evaluated subnet. */
  bnAdaptationSamples: number;
  /** R-NSGA-II only (NNCF's RNSGA2SearchParams): aspiration points (default [[0, 0]]), epsilon 0.001, weights, extreme points. */
  reference?: { aspirationPoints: number[][]; epsilon: number; weights?: number[]; extremePointsAsRefPoints: boolean };
}

export class SearchConfigError extends Error {
  override name = 'SearchConfigError';
}

/** `warn` hears about keys NNCF reads but would not use (the R-NSGA-II keys under NSGA2). */
export function searchParams(section: SearchSection = {}, warn: (message: string) => void = () => {}): SearchParams {
  const algorithm = section.algorithm ?? 'NSGA2';
  if (algorithm !== 'NSGA2' && algorithm !== 'RNSGA2')
    throw new SearchConfigError(`bootstrapNAS.search.algorithm "${algorithm}" is not a search algorithm of NNCF (NSGA2, RNSGA2)`);
  const rnsgaKeys = (['aspiration_points', 'epsilon', 'weights', 'extreme_points_as_ref_points'] as const).filter((k) => section[k] !== undefined);
  if (algorithm === 'NSGA2' && rnsgaKeys.length)
    warn(`bootstrapNAS.search: ${rnsgaKeys.join(', ')} apply to algorithm "RNSGA2" only; NSGA2 ignores them (as NNCF does)`);
  if ((section.num_constraints ?? 0) !== 0)
    throw new SearchConfigError(`bootstrapNAS.search.num_constraints ${section.num_constraints}: constrained search is not built in nncf-ts (0 only)`);
  if (section.compression !== undefined)
    throw new SearchConfigError('bootstrapNAS.search.compression (knowledge distillation while evaluating subnets) is not built in nncf-ts');
  const population = section.population ?? 40;
  const numEvals = section.num_evals ?? 3000;
  if (!Number.isInteger(population) || population < 2) throw new SearchConfigError(`bootstrapNAS.search.population must be an integer ≥ 2, got ${population}`);
  if (population > numEvals)
    throw new SearchConfigError(`bootstrapNAS.search.population (${population}) must not be greater than num_evals (${numEvals})`);
  const generations = Math.floor(numEvals / population);
  const weights = section.weights;
  return {
    algorithm,
    reference:
      algorithm === 'RNSGA2'
        ? {
            aspirationPoints: aspirationPoints(section.aspiration_points),
            epsilon: section.epsilon ?? 0.001,
            // a single number applies to every objective
            weights: weights === undefined ? undefined : Array.isArray(weights) ? weights : [weights, weights],
            extremePointsAsRefPoints: section.extreme_points_as_ref_points ?? false,
          }
        : undefined,
    population,
    numEvals: generations * population,
    generations,
    crossoverProb: section.crossover_prob ?? 0.9,
    crossoverEta: section.crossover_eta ?? 10,
    mutationProb: section.mutation_prob ?? 0.02,
    mutationEta: section.mutation_eta ?? 3,
    accDelta: section.acc_delta ?? 1,
    refAcc: section.ref_acc ?? -1,
    bnAdaptationSamples: section.batchnorm_adaptation?.num_bn_adaptation_samples ?? 2000,
    seed: section.seed ?? 0,
  };
}

/**
 * NNCF's aspiration_points (default [[0, 0]]) in objective space [MMACs, −top-1]: a list of points, as
 * NNCF's code uses them; a flat pair (the form NNCF's schema documents) is one point.
 */
export function aspirationPoints(v: SearchSection['aspiration_points']): number[][] {
  const where = 'bootstrapNAS.search.aspiration_points';
  if (v === undefined) return [[0, 0]];
  if (v.length > 0 && v.every((p) => Array.isArray(p))) {
    const points = v.map((p) => [...(p as readonly number[])]);
    points.forEach((p, i) => {
      if (p.length !== 2) throw new SearchConfigError(`${where}[${i}] has ${p.length} coordinates; a point is [MMACs, −top-1] (2 objectives)`);
    });
    return points;
  }
  if (v.length === 2 && v.every((p) => typeof p === 'number')) return [[v[0] as number, v[1] as number]];
  throw new SearchConfigError(`${where} must be a list of points [[MMACs, −top-1], …] or one point [MMACs, −top-1], got ${JSON.stringify(v)}`);
}
