/** AutoQ's DDPG agent and search loop (src/initialization/autoq): replay buffer, soft updates, policy steps, episodes. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/data/index.js';
import { initBackend } from '../../src/engine/index.js';
import { autoqSearchLoop, DDPG, deltaDecay, sampleBatchIndexes, SequentialMemory, softUpdate, truncatedNormal, type AutoQEnv } from '../../src/initialization/index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

const read = (v: tf.Tensor) => Array.from(v.dataSync());

describe('replay buffer', () => {
  it('seeded sampling: distinct indices when the range is large enough, else with replacement, same seed same batch', () => {
    const a = sampleBatchIndexes(new Random(1), 0, 10, 6);
    expect(new Set(a).size).toBe(6);
    expect(a.every((i) => i >= 0 && i < 10)).toBe(true);
    expect(sampleBatchIndexes(new Random(1), 0, 10, 6)).toEqual(a);
    expect(sampleBatchIndexes(new Random(2), 0, 10, 6)).not.toEqual(a);
    const b = sampleBatchIndexes(new Random(1), 3, 5, 8);
    expect(b.every((i) => i === 3 || i === 4)).toBe(true);
  });

  it('transitions observation[i−1] → observation[i], never starting right after a terminal entry; a full buffer drops its oldest', () => {
    const m = new SequentialMemory(8, new Random(3));
    // two episodes of 2 steps + NNCF's extra entry: obs value = entry index
    [false, true, false, false, true, false].forEach((terminal, i) => m.append([i], [i / 10], i, terminal));
    for (const e of m.sample(32)) {
      const i = e.state0[0];
      expect(e.state1[0]).toBe(i + 1);
      expect(e.action[0]).toBeCloseTo(i / 10, 12);
      expect(e.reward).toBe(i);
      expect(i).not.toBe(2); // entry 2 follows the terminal entry 1
      expect(e.terminal1).toBe(i === 1 || i === 4);
    }
    for (let i = 6; i < 10; i++) m.append([i], [0], 0, false);
    expect(m.nbEntries).toBe(8);
    expect(m.sample(1).length).toBe(1);
    m.discard(0, 3);
    expect(m.nbEntries).toBe(5);
    expect(m.rewards.data).toEqual([5, 0, 0, 0, 0]); // entries 2..9 were kept, 2..4 discarded
  });
});

describe('DDPG pieces', () => {
  it("delta_decay as NNCF calibrates it; truncated normal stays in [0, 1] and is seeded", () => {
    expect(deltaDecay(5)).toBe(0.96);
    expect(deltaDecay(250)).toBe(0.98);
    expect(deltaDecay(999)).toBe(0.996);
    expect(deltaDecay(2000)).toBeCloseTo(0.997 + (1001 * 0.002) / 2001, 12);
    expect(deltaDecay(5000)).toBe(0.999);
    expect(() => deltaDecay(0)).toThrow(/larger than 0/);
    const r = new Random(5);
    const xs = Array.from({ length: 200 }, () => truncatedNormal(r, 0, 1, 0.95, 0.5));
    expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(truncatedNormal(new Random(5), 0, 1, 0.95, 0.5)).toBe(xs[0]);
  });

  it('soft update: target ← target·(1 − tau) + source·tau', () => {
    const t = tf.variable(tf.tensor1d([1, 2]));
    const s = tf.variable(tf.tensor1d([3, -2]));
    const before = tf.memory().numTensors;
    softUpdate([t], [s], 0.01);
    expect(tf.memory().numTensors).toBe(before);
    const v = read(t);
    expect(v[0]).toBeCloseTo(1 * 0.99 + 3 * 0.01, 6);
    expect(v[1]).toBeCloseTo(2 * 0.99 - 2 * 0.01, 6);
    t.dispose();
    s.dispose();
  });

  it('seeded networks (torch Linear init bounds), targets start equal; an update step moves actor, critic and targets by tau and keeps the tensor count', () => {
    const agent = new DDPG(4, 1, new Random(7), { hidden1: 16, hidden2: 8, batchSize: 8, rmsize: 100, warmupIterNumber: 1, trainEpisodes: 10 });
    const again = new DDPG(4, 1, new Random(7), { hidden1: 16, hidden2: 8, batchSize: 8, rmsize: 100, warmupIterNumber: 1, trainEpisodes: 10 });
    expect(read(again.actor.variables[0])).toEqual(read(agent.actor.variables[0]));
    again.dispose();
    expect(agent.actor.variables.map((v) => v.shape)).toEqual([[4, 16], [16], [16, 8], [8], [8, 1], [1]]);
    expect(read(agent.actor.variables[0]).every((x) => Math.abs(x) <= 1 / Math.sqrt(4) + 1e-7)).toBe(true);
    expect(read(agent.critic.variables[4]).every((x) => Math.abs(x) <= 1 / Math.sqrt(16) + 1e-7)).toBe(true); // fc2: fan_in 16
    agent.critic.variables.forEach((v, i) => expect(read(agent.criticTarget.variables[i])).toEqual(read(v)));
    const rng = new Random(9);
    for (let i = 0; i < 30; i++) agent.observe(rng.float(), [rng.float(), rng.float(), rng.float(), rng.float()], [rng.float()], i % 5 === 4);
    const actor0 = read(agent.actor.variables[4]);
    const critic0 = read(agent.critic.variables[6]);
    const target0 = read(agent.actorTarget.variables[4]);
    agent.updatePolicy(); // creates Adam's moment variables
    const count = tf.memory().numTensors;
    const actor1 = read(agent.actor.variables[4]);
    expect(actor1).not.toEqual(actor0);
    expect(read(agent.critic.variables[6])).not.toEqual(critic0);
    const target1 = read(agent.actorTarget.variables[4]);
    target1.forEach((t, i) => expect(t).toBeCloseTo(0.99 * target0[i] + 0.01 * actor1[i], 6));
    expect(Number.isFinite(agent.valueLoss) && Number.isFinite(agent.policyLoss)).toBe(true);
    for (let k = 0; k < 3; k++) agent.updatePolicy();
    expect(tf.memory().numTensors).toBe(count);
    // exploration: sigma = init_delta · decay^(episode − warmup)
    const a = agent.selectAction([0.1, 0.2, 0.3, 0.4], 3);
    expect(agent.delta).toBeCloseTo(0.5 * 0.96 ** 2, 12);
    expect(a[0]).toBeGreaterThanOrEqual(0);
    expect(a[0]).toBeLessThanOrEqual(1);
    agent.dispose();
  });
});

/** 3 quantizers; reward = fraction of steps whose action picked 8 bits (the environment's bits). */
class ToyEnv implements AutoQEnv {
  readonly steps = 3;
  readonly stateSize = 3;
  readonly prevActionFeature = 1;
  private taken: number[] = [];
  reset() {
    this.taken = [];
  }
  observation(i: number) {
    return [i / 2, this.taken.length ? this.taken[this.taken.length - 1] / 8 : 0, 1];
  }
  step(action: number) {
    this.taken.push(action > 0.5 ? 8 : 4);
    const done = this.taken.length === this.steps;
    return { observation: this.observation(done ? this.steps - 1 : this.taken.length), done, bits: this.taken[this.taken.length - 1] };
  }
  finish() {
    return { bits: [...this.taken], unconstrained: [...this.taken], sizeRatio: this.taken.reduce((a, b) => a + b, 0) / 96 };
  }
}

describe('search loop', () => {
  it('warm-up then DDPG episodes; best reward wins; seeded; tensors released', async () => {
    const before = tf.memory().numTensors;
    const run = () =>
      autoqSearchLoop(new ToyEnv(), async (bits) => ({ score: bits.filter((b) => b === 8).length / 3, reward: (10 * bits.filter((b) => b === 8).length) / 3 }), {
        iterNumber: 6,
        warmupIterNumber: 2,
        seed: 11,
        ddpg: { hidden1: 32, hidden2: 32 },
      });
    const out = await run();
    expect(tf.memory().numTensors).toBe(before);
    expect(out.episodes.map((e) => e.episode)).toEqual([0, 1, 2, 3, 4, 5]);
    const best = Math.max(...out.episodes.map((e) => e.reward));
    expect(out.bestReward).toBe(best);
    expect(out.bestEpisode).toBe(out.episodes.findIndex((e) => e.reward === best));
    expect(out.bits).toEqual(out.episodes[out.bestEpisode].bits);
    expect(await run()).toEqual(out);
  });
});
