/**
 * NNCF's DDPG agent (nncf/torch/automl/agent/ddpg/ddpg.py) on tfjs-core, current backend:
 * actor state → 300 → 300 → 1 (ReLU, ReLU, sigmoid), critic fc11(state) + fc12(action) → 300 →
 * 300 → 1, target copies (hard copy at start, soft updates with tau), Adam (lr_a 1e-4, lr_c 1e-3),
 * replay buffer (memory.ts), reward normalised by a moving average of batch means (alpha 0.5),
 * exploration by a truncated normal on [0, 1] around the actor's action with sigma
 * init_delta · delta_decay^(episode − warmup), delta_decay calibrated from the episode count as NNCF.
 *
 * Weights are initialised as torch.nn.Linear does (U(±1/√fan_in) for weight and bias) from the
 * seeded generator, so a seed fixes every number. Every tensor is released: the networks' variables
 * and the optimizers' moments live until dispose().
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../../data/index.js';
import { SequentialMemory } from './memory.js';

export interface DdpgHyperparams {
  hidden1: number;
  hidden2: number;
  lrActor: number;
  lrCritic: number;
  /** Replay buffer size (entries). */
  rmsize: number;
  batchSize: number;
  tau: number;
  discount: number;
  initDelta: number;
  warmupIterNumber: number;
  nUpdate: number;
  /** Episodes of the search (calibrates delta_decay). */
  trainEpisodes: number;
}

/** NNCF's defaults (rmsize is overridden by the search: warmup · (steps + 1)). */
export const DDPG_DEFAULTS: DdpgHyperparams = {
  hidden1: 300,
  hidden2: 300,
  lrActor: 1e-4,
  lrCritic: 1e-3,
  rmsize: 2048,
  batchSize: 64,
  tau: 0.01,
  discount: 1.0,
  initDelta: 0.5,
  warmupIterNumber: 20,
  nUpdate: 1,
  trainEpisodes: 600,
};

/** NNCF update_delta_decay_factor. */
export function deltaDecay(trainEpisodes: number): number {
  if (!(trainEpisodes > 0)) throw new Error('DDPG: the number of training episodes must be larger than 0');
  if (trainEpisodes < 1000) return [0.96, 0.96, 0.98, 0.987, 0.992, 0.993, 0.995, 0.995, 0.996, 0.996][Math.floor(trainEpisodes / 100)];
  if (trainEpisodes <= 3000) return ((trainEpisodes - 999) * (0.999 - 0.997)) / (3000 - 999) + 0.997;
  return 0.999;
}

/** A sample of N(mu, sigma) truncated to [lower, upper] (rejection; clipped mean after 10 000 rejections). */
export function truncatedNormal(rng: Random, lower: number, upper: number, mu: number, sigma: number): number {
  if (!(sigma > 0)) return Math.min(upper, Math.max(lower, mu));
  for (let k = 0; k < 10_000; k++) {
    const v = mu + sigma * rng.normal();
    if (v >= lower && v <= upper) return v;
  }
  return Math.min(upper, Math.max(lower, mu));
}

interface Linear {
  w: tf.Variable;
  b: tf.Variable;
}

function linear(rng: Random, fanIn: number, fanOut: number, name: string): Linear {
  const bound = 1 / Math.sqrt(fanIn);
  const u = (n: number) => Float32Array.from({ length: n }, () => (2 * rng.float() - 1) * bound);
  return tf.tidy(() => ({
    w: tf.variable(tf.tensor2d(u(fanIn * fanOut), [fanIn, fanOut]), true, `${name}.w_${uid}`),
    b: tf.variable(tf.tensor1d(u(fanOut)), true, `${name}.b_${uid++}`),
  }));
}
let uid = 0;

const apply = (l: Linear, x: tf.Tensor2D) => tf.add(tf.matMul(x, l.w), l.b) as tf.Tensor2D;

export class Actor {
  readonly layers: Linear[];
  constructor(rng: Random, nStates: number, nActions: number, h1: number, h2: number) {
    this.layers = [linear(rng, nStates, h1, 'actor.fc1'), linear(rng, h1, h2, 'actor.fc2'), linear(rng, h2, nActions, 'actor.fc3')];
  }
  forward(x: tf.Tensor2D): tf.Tensor2D {
    const [a, b, c] = this.layers;
    return tf.sigmoid(apply(c, tf.relu(apply(b, tf.relu(apply(a, x)))))) as tf.Tensor2D;
  }
  get variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.w, l.b]);
  }
}

export class Critic {
  readonly layers: Linear[];
  constructor(rng: Random, nStates: number, nActions: number, h1: number, h2: number) {
    this.layers = [linear(rng, nStates, h1, 'critic.fc11'), linear(rng, nActions, h1, 'critic.fc12'), linear(rng, h1, h2, 'critic.fc2'), linear(rng, h2, 1, 'critic.fc3')];
  }
  forward(x: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D {
    const [fc11, fc12, fc2, fc3] = this.layers;
    return apply(fc3, tf.relu(apply(fc2, tf.relu(tf.add(apply(fc11, x), apply(fc12, a)) as tf.Tensor2D))));
  }
  get variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.w, l.b]);
  }
}

/** target ← target·(1 − tau) + source·tau, per variable. */
export function softUpdate(target: readonly tf.Variable[], source: readonly tf.Variable[], tau: number): void {
  tf.tidy(() => target.forEach((t, i) => t.assign(tf.add(tf.mul(t, 1 - tau), tf.mul(source[i], tau)))));
}

export function hardUpdate(target: readonly tf.Variable[], source: readonly tf.Variable[]): void {
  target.forEach((t, i) => t.assign(source[i]));
}

export class DDPG {
  readonly hp: DdpgHyperparams;
  readonly actor: Actor;
  readonly actorTarget: Actor;
  readonly critic: Critic;
  readonly criticTarget: Critic;
  readonly memory: SequentialMemory;
  readonly deltaDecay: number;
  delta: number;
  valueLoss = 0;
  policyLoss = 0;
  private movingAverage: number | null = null;
  private readonly movingAlpha = 0.5;
  private readonly actorOptim: tf.Optimizer;
  private readonly criticOptim: tf.Optimizer;

  constructor(
    readonly nStates: number,
    readonly nActions: number,
    private readonly rng: Random,
    hp: Partial<DdpgHyperparams> = {},
  ) {
    this.hp = { ...DDPG_DEFAULTS, ...hp };
    const { hidden1: h1, hidden2: h2 } = this.hp;
    this.actor = new Actor(rng, nStates, nActions, h1, h2);
    this.actorTarget = new Actor(rng, nStates, nActions, h1, h2);
    this.critic = new Critic(rng, nStates, nActions, h1, h2);
    this.criticTarget = new Critic(rng, nStates, nActions, h1, h2);
    hardUpdate(this.actorTarget.variables, this.actor.variables);
    hardUpdate(this.criticTarget.variables, this.critic.variables);
    this.actorOptim = tf.train.adam(this.hp.lrActor, 0.9, 0.999, 1e-8);
    this.criticOptim = tf.train.adam(this.hp.lrCritic, 0.9, 0.999, 1e-8);
    this.memory = new SequentialMemory(this.hp.rmsize, rng);
    this.deltaDecay = deltaDecay(this.hp.trainEpisodes);
    this.delta = this.hp.initDelta;
  }

  randomAction(): number[] {
    return Array.from({ length: this.nActions }, () => this.rng.float());
  }

  /** The actor's action for one state (no noise). */
  policy(state: readonly number[]): number[] {
    return tf.tidy(() => Array.from(this.actor.forward(tf.tensor2d([...state], [1, state.length])).dataSync()));
  }

  /** The actor's action with truncated-normal exploration (NNCF select_action with decay_epsilon). */
  selectAction(state: readonly number[], episode: number): number[] {
    const mu = this.policy(state);
    this.delta = this.hp.initDelta * this.deltaDecay ** (episode - this.hp.warmupIterNumber);
    return mu.map((m) => Math.min(1, Math.max(0, truncatedNormal(this.rng, 0, 1, m, this.delta))));
  }

  observe(reward: number, state: readonly number[], action: readonly number[], done: boolean): void {
    this.memory.append(state, action, reward, done);
  }

  /** One critic step and one actor step on a sampled batch, then soft updates of the targets. */
  updatePolicy(): void {
    const batch = this.memory.sample(this.hp.batchSize);
    const B = batch.length;
    const rewards = batch.map((e) => e.reward);
    const mean = rewards.reduce((a, b) => a + b, 0) / B;
    this.movingAverage = this.movingAverage === null ? mean : this.movingAverage + this.movingAlpha * (mean - this.movingAverage);
    const ma = this.movingAverage;
    const s0 = batch.flatMap((e) => e.state0);
    const s1 = batch.flatMap((e) => e.state1);
    const acts = batch.flatMap((e) => e.action);
    const nS = this.nStates;
    const nA = this.nActions;
    tf.tidy(() => {
      const state0 = tf.tensor2d(s0, [B, nS]);
      const state1 = tf.tensor2d(s1, [B, nS]);
      const action = tf.tensor2d(acts, [B, nA]);
      const reward = tf.tensor2d(rewards.map((r) => r - ma), [B, 1]);
      const notTerminal = tf.tensor2d(batch.map((e) => (e.terminal1 ? 0 : 1)), [B, 1]);
      const nextQ = this.criticTarget.forward(state1, this.actorTarget.forward(state1));
      const targetQ = tf.add(reward, tf.mul(tf.mul(notTerminal, this.hp.discount), nextQ));
      const vLoss = this.criticOptim.minimize(() => tf.mean(tf.square(tf.sub(this.critic.forward(state0, action), targetQ))) as tf.Scalar, true, this.critic.variables);
      const pLoss = this.actorOptim.minimize(() => tf.neg(tf.mean(this.critic.forward(state0, this.actor.forward(state0)))) as tf.Scalar, true, this.actor.variables);
      this.valueLoss = vLoss!.dataSync()[0];
      this.policyLoss = pLoss!.dataSync()[0];
    });
    softUpdate(this.actorTarget.variables, this.actor.variables, this.hp.tau);
    softUpdate(this.criticTarget.variables, this.critic.variables, this.hp.tau);
  }

  dispose(): void {
    for (const n of [this.actor, this.actorTarget, this.critic, this.criticTarget]) for (const v of n.variables) v.dispose();
    this.actorOptim.dispose();
    this.criticOptim.dispose();
  }
}
