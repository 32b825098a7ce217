/**
 * NNCF's EvolutionOptimizer for LeGR (filter_pruning/global_ranking/evolutionary_optimization.py): the
 * agent that proposes per-layer ranking coefficients (a, b) and keeps a population of the rewarded ones.
 *
 * - episodes 0 … population_size − 2: random actions, a = exp(N(0, scale_sigma)), b = N(0, std of the
 *   layer's initial filter norms);
 * - episode population_size − 1: the identity action (1, 0);
 * - later episodes: draw num_samples population members (with replacement), take the best rewarded one,
 *   and mutate int(mutate_percent · layers) layers drawn with replacement:
 *   a *= exp(N(0, scale_sigma · (1 − episode / (1.25 · generations)))), b += N(0, std); the new action
 *   replaces the oldest member.
 * The best action is the first one with the highest reward.
 *
 * One deliberate difference: NNCF re-seeds numpy with random_seed before every action, so all its
 * random members are the same action and every mutation repeats the same draws. Here one seeded stream
 * runs through the whole search, so members differ; the same seed still gives the same coefficients.
 */
import { Random } from '../../../data/random.js';

/** Per pruned layer (by node name): the scale a and shift b applied to its filter importances. */
export type RankingCoeffs = ReadonlyMap<string, readonly [number, number]>;

export interface EvolutionParams {
  generations: number;
  populationSize: number;
  numSamples: number;
  mutatePercent: number;
  scaleSigma: number;
  seed: number;
}

/** Population standard deviation (numpy's np.std, ddof 0). */
export function populationStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return Math.sqrt(ss / n);
}

export class EvolutionOptimizer {
  readonly layers: readonly string[];
  private readonly std: ReadonlyMap<string, number>;
  private readonly rng: Random;
  private readonly population: (RankingCoeffs | undefined)[];
  readonly populationRewards: Float64Array;
  /** Population slots, oldest first (NNCF's indexes_queue). */
  private readonly queue: number[] = [];
  private oldest = -1;
  private episode = -1;
  private last?: RankingCoeffs;
  private best?: RankingCoeffs;
  private maxReward = -Infinity;

  /** `initialNorms`: each pruned layer's filter importances before any pruning, in layer order. */
  constructor(
    initialNorms: ReadonlyMap<string, ArrayLike<number>>,
    readonly params: EvolutionParams,
  ) {
    this.layers = [...initialNorms.keys()];
    this.std = new Map([...initialNorms].map(([k, v]) => [k, populationStd(v)]));
    this.rng = new Random(params.seed);
    this.population = new Array<RankingCoeffs | undefined>(params.populationSize).fill(undefined);
    this.populationRewards = new Float64Array(params.populationSize);
  }

  get bestAction(): RankingCoeffs | undefined {
    return this.best;
  }

  get bestReward(): number {
    return this.maxReward;
  }

  /** N(0, sigma) from the stream (numpy's normal(0, sigma) = sigma · standard normal). */
  private normal(sigma: number): number {
    return sigma * this.rng.normal();
  }

  /** The action for `episode` (episodes are asked in order 0, 1, 2, …). */
  ask(episode: number): RankingCoeffs {
    if (episode !== this.episode + 1) throw new Error(`LeGR evolution: episode ${episode} asked after episode ${this.episode}`);
    this.episode = episode;
    const { populationSize, numSamples, mutatePercent, scaleSigma, generations } = this.params;
    const action = new Map<string, readonly [number, number]>();
    if (episode < populationSize - 1) {
      for (const key of this.layers) {
        const scale = Math.exp(this.normal(scaleSigma));
        const shift = this.normal(this.std.get(key)!);
        action.set(key, [scale, shift]);
      }
    } else if (episode === populationSize - 1) {
      for (const key of this.layers) action.set(key, [1, 0]);
    } else {
      const stepSize = 1 - episode / (generations * 1.25);
      const sampled = Array.from({ length: numSamples }, () => this.rng.int(populationSize));
      let bestIdx = sampled[0];
      for (const i of sampled) if (this.populationRewards[i] > this.populationRewards[bestIdx]) bestIdx = i;
      const parent = this.population[bestIdx]!;
      const mutateNum = Math.trunc(mutatePercent * this.layers.length);
      const mutated = new Set(Array.from({ length: mutateNum }, () => this.layers[this.rng.int(this.layers.length)]));
      for (const key of this.layers) {
        let scale = 1;
        let shift = 0;
        if (mutated.has(key)) {
          scale = Math.exp(this.normal(scaleSigma * stepSize));
          shift = this.normal(this.std.get(key)!);
        }
        const [a, b] = parent.get(key)!;
        action.set(key, [scale * a, shift + b]);
      }
      this.oldest = this.queue.shift()!;
    }
    this.last = action;
    return action;
  }

  /** The reward of the action last asked: kept in the population, and as the best if it beats all before. */
  tell(reward: number): void {
    if (!this.last) throw new Error('LeGR evolution: tell() before ask()');
    if (reward > this.maxReward) {
      this.best = this.last;
      this.maxReward = reward;
    }
    const slot = this.episode < this.params.populationSize ? this.episode : this.oldest;
    this.queue.push(slot);
    this.population[slot] = this.last;
    this.populationRewards[slot] = reward;
  }
}
