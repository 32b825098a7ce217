/**
 * NNCF's DDPG replay buffer (nncf/torch/automl/agent/ddpg/memory.py, after keras-rl): a ring buffer
 * of (observation, action, reward, terminal) with window length 1; a sample of index idx is the
 * transition observations[idx−1] → observations[idx]. Randomness from a seeded generator.
 */
import type { Random } from '../../data/index.js';

export interface Experience {
  state0: number[];
  action: number[];
  reward: number;
  state1: number[];
  terminal1: boolean;
}

class RingBuffer<T> {
  data: T[] = [];
  constructor(readonly maxlen: number) {}
  get length(): number {
    return this.data.length;
  }
  at(i: number): T {
    if (i < 0 || i >= this.data.length) throw new RangeError(`replay buffer index ${i} out of [0, ${this.data.length})`);
    return this.data[i];
  }
  append(v: T): void {
    if (this.data.length >= this.maxlen) this.data.shift();
    if (this.maxlen > 0) this.data.push(v);
  }
}

/** `size` indices from [low, high): distinct when the range is large enough (random.sample), else with replacement. */
export function sampleBatchIndexes(rng: Random, low: number, high: number, size: number): number[] {
  const n = high - low;
  if (n >= size) {
    const pool = Array.from({ length: n }, (_, i) => low + i);
    const out: number[] = [];
    for (let k = 0; k < size; k++) {
      const j = k + rng.int(n - k);
      [pool[k], pool[j]] = [pool[j], pool[k]];
      out.push(pool[k]);
    }
    return out;
  }
  if (n <= 0) throw new Error(`replay buffer: cannot sample from an empty range [${low}, ${high})`);
  return Array.from({ length: size }, () => low + rng.int(n));
}

export class SequentialMemory {
  private readonly observations: RingBuffer<number[]>;
  private readonly actions: RingBuffer<number[]>;
  readonly rewards: RingBuffer<number>;
  private readonly terminals: RingBuffer<boolean>;

  constructor(
    readonly limit: number,
    private readonly rng: Random,
  ) {
    this.observations = new RingBuffer(limit);
    this.actions = new RingBuffer(limit);
    this.rewards = new RingBuffer(limit);
    this.terminals = new RingBuffer(limit);
  }

  get nbEntries(): number {
    return this.observations.length;
  }

  append(observation: readonly number[], action: readonly number[], reward: number, terminal: boolean): void {
    this.observations.append([...observation]);
    this.actions.append([...action]);
    this.rewards.append(reward);
    this.terminals.append(terminal);
  }

  /** Removes entries [start, end) (NNCF `discard(slice)`). */
  discard(start: number, end: number): void {
    for (const b of [this.observations, this.actions, this.rewards, this.terminals] as RingBuffer<unknown>[]) b.data.splice(start, end - start);
  }

  sample(batchSize: number): Experience[] {
    const n = this.nbEntries;
    if (n < 2) throw new Error('replay buffer: at least 2 entries are needed to sample transitions');
    const idxs = sampleBatchIndexes(this.rng, 0, n - 1, batchSize).map((i) => i + 1);
    return idxs.map((start) => {
      let idx = start;
      // a transition must not start right after a terminal one (the environment was reset there)
      while (idx >= 2 && this.terminals.at(idx - 2)) idx = sampleBatchIndexes(this.rng, 1, n, 1)[0];
      return {
        state0: this.observations.at(idx - 1),
        action: this.actions.at(idx - 1),
        reward: this.rewards.at(idx - 1),
        state1: this.observations.at(idx),
        terminal1: this.terminals.at(idx - 1),
      };
    });
  }
}
