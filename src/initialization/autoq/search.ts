/**
 * AutoQ's search loop (NNCF AutoQPrecisionInitializer._search): `iterNumber` episodes; the first
 * `warmupIterNumber` take uniform random actions, the rest the actor's action with truncated-normal
 * noise. One episode = one action per quantizer; the environment then constrains the strategy to the
 * size budget, the candidate is evaluated, and its reward (intermediate rewards are 0) is stored for
 * every transition of the episode as final_reward / steps (NNCF: "the environment is not episodic"),
 * with each stored state's prev_action revised to the constrained width of the previous quantizer / 8.
 * After the transitions NNCF appends one extra entry (last observation, the agent's noisy action,
 * reward 0), keeps the replay buffer at warmup · (steps + 1) entries by discarding a random episode
 * among the lowest-rewarded 70 %, and after warm-up runs steps · n_update policy updates per episode.
 * The best reward over all episodes wins (the first one on ties).
 */
import { startProgress } from '../progress.js';
import type { AutoQEnvironment } from '../../compression/index.js';
import { Random } from '../../data/index.js';
import { DDPG, type DdpgHyperparams } from './ddpg.js';

/** What the search needs from the quantization algorithm's environment (the reward is applied by run.ts). */
export type AutoQEnv = Omit<AutoQEnvironment, 'reward'>;

export interface AutoQEpisode {
  episode: number;
  reward: number;
  score: number;
  sizeRatio: number;
  bits: number[];
}

export interface AutoQSearchOutcome {
  bits: number[];
  bestReward: number;
  bestEpisode: number;
  episodes: AutoQEpisode[];
}

export interface AutoQLoopParams {
  iterNumber: number;
  warmupIterNumber: number;
  seed: number;
  /** DDPG overrides (NNCF's ddpg hyper-parameters); rmsize is always warmup · (steps + 1). */
  ddpg?: Partial<DdpgHyperparams>;
}

export async function autoqSearchLoop(
  env: AutoQEnv,
  evaluate: (bits: number[]) => Promise<{ score: number; reward: number }>,
  params: AutoQLoopParams,
): Promise<AutoQSearchOutcome> {
  const { iterNumber, warmupIterNumber } = params;
  const L = env.steps;
  const rng = new Random(params.seed);
  const agent = new DDPG(env.stateSize, 1, rng, {
    ...params.ddpg,
    warmupIterNumber,
    trainEpisodes: iterNumber,
    rmsize: warmupIterNumber * (L + 1),
  });
  const episodes: AutoQEpisode[] = [];
  let best: AutoQEpisode | null = null;
  const progress = startProgress('AutoQ episodes', iterNumber, 'episodes');
  try {
    for (let episode = 0; episode < iterNumber; episode++) {
      env.reset();
      let observation = env.observation(0);
      const transitions: { s: number[]; a: number[]; done: boolean }[] = [];
      let done = false;
      while (!done) {
        const action = episode < warmupIterNumber ? agent.randomAction() : agent.selectAction(observation, episode);
        const r = env.step(action[0]);
        transitions.push({ s: observation, a: action, done: r.done });
        observation = r.observation;
        done = r.done;
      }
      const outcome = env.finish();
      const { score, reward } = await evaluate(outcome.bits);

      // replay buffer management: drop one of the lower-rewarded 70 % of episodes when full
      const memory = agent.memory;
      if (memory.nbEntries + transitions.length >= memory.limit && memory.nbEntries > 0) {
        const perEpisode = memory.rewards.data.filter((_, i) => i % (L + 1) === 0);
        const order = perEpisode.map((_, i) => i).sort((a, b) => perEpisode[a] - perEpisode[b] || a - b);
        const candidates = order.slice(0, Math.floor(order.length * 0.7));
        const drop = candidates.length ? candidates[rng.int(candidates.length)] : order[0];
        memory.discard(drop * (L + 1), (drop + 1) * (L + 1));
      }
      const perStep = reward / L;
      transitions.forEach((t, i) => {
        const s = [...t.s];
        s[env.prevActionFeature] = i === 0 ? 0 : outcome.bits[i - 1] / 8;
        agent.observe(perStep, s, t.a, t.done);
      });
      agent.memory.append(observation, agent.selectAction(observation, episode), 0, false);
      if (episode >= warmupIterNumber) for (let i = 0; i < L * agent.hp.nUpdate; i++) agent.updatePolicy();

      const record: AutoQEpisode = { episode, reward, score, sizeRatio: outcome.sizeRatio, bits: outcome.bits };
      episodes.push(record);
      if (!best || reward > best.reward) best = record;
      progress.tick();
    }
  } finally {
    progress.done();
    agent.dispose();
  }
  if (!best) throw new Error('AutoQ: no episode was run (iter_number must be at least 1)');
  return { bits: best.bits, bestReward: best.reward, bestEpisode: best.episode, episodes };
}
