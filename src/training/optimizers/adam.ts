import * as tf from '@tensorflow/tfjs-core';
import { TrainingConfigError } from '../errors.js';
import { Slots } from './slots.js';
import type { Optimizer, OptimizerState } from './types.js';

export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * torch.optim.Adam (L2 weight decay added to the gradient, no amsgrad): t ← t+1; g ← g + wd·p;
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε).
 */
export class Adam implements Optimizer {
  readonly type = 'adam';
  lr: number;
  weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private steps = 0;
  private readonly slots = new Slots();

  constructor(
    readonly variables: readonly tf.Variable[],
    o: AdamOptions,
  ) {
    this.lr = o.lr;
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    if (!(this.lr >= 0)) throw new TrainingConfigError('optimizer.base_lr', `must be a non-negative number, got ${o.lr}`);
    for (const [k, b] of [['betas[0]', this.beta1], ['betas[1]', this.beta2]] as const)
      if (!(b >= 0 && b < 1)) throw new TrainingConfigError(`optimizer.optimizer_params.${k}`, `must be in [0, 1), got ${b}`);
    if (!(this.eps >= 0)) throw new TrainingConfigError('optimizer.optimizer_params.eps', `must be >= 0, got ${o.eps}`);
    if (!(this.weightDecay >= 0)) throw new TrainingConfigError('optimizer.weight_decay', `must be >= 0, got ${o.weightDecay}`);
  }

  apply(grads: readonly (tf.Tensor | undefined)[]): void {
    this.steps++;
    const t = this.steps;
    const bc1 = 1 - this.beta1 ** t;
    const bc2Sqrt = Math.sqrt(1 - this.beta2 ** t);
    this.variables.forEach((p, i) => {
      const g0 = grads[i];
      if (!g0) return;
      tf.tidy(() => {
        const g = this.weightDecay !== 0 ? tf.add(g0, tf.mul(p, this.weightDecay)) : g0;
        const m0 = this.slots.get('exp_avg', i);
        const v0 = this.slots.get('exp_avg_sq', i);
        const m = tf.add(m0 ? tf.mul(m0, this.beta1) : tf.zerosLike(g), tf.mul(g, 1 - this.beta1));
        const v = tf.add(v0 ? tf.mul(v0, this.beta2) : tf.zerosLike(g), tf.mul(tf.square(g), 1 - this.beta2));
        this.slots.set('exp_avg', i, m);
        this.slots.set('exp_avg_sq', i, v);
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), this.eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), this.lr / bc1)));
      });
    });
  }

  getState(): OptimizerState {
    return { type: 'adam', lr: this.lr, weightDecay: this.weightDecay, steps: this.steps, slots: this.slots.save() };
  }

  loadState(s: OptimizerState): void {
    if (s.type !== 'adam') throw new TrainingConfigError('optimizer.type', `the checkpoint holds "${s.type}" state but the optimizer is "adam"`);
    this.lr = s.lr;
    this.weightDecay = s.weightDecay;
    this.steps = s.steps;
    this.slots.load(s.slots, this.variables);
  }

  dispose(): void {
    this.slots.dispose();
  }
}
