import * as tf from '@tensorflow/tfjs-core';
import { TrainingConfigError } from '../errors.js';
import { SlotOptimizer } from './base.js';
import type { ParamGroups } from './types.js';

export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  groups?: ParamGroups;
}

/**
 * torch.optim.Adam (L2 weight decay added to the gradient, no amsgrad): t ← t+1; g ← g + wd·p;
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε).
 */
export class Adam extends SlotOptimizer {
  readonly type = 'adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;

  constructor(
    variables: readonly tf.Variable[],
    o: AdamOptions,
  ) {
    super(variables, o.lr, o.weightDecay ?? 0, o.groups);
    [this.beta1, this.beta2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
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
        const g = this.withWeightDecay(p, g0, i);
        const m0 = this.slots.get('exp_avg', i);
        const v0 = this.slots.get('exp_avg_sq', i);
        const m = tf.add(m0 ? tf.mul(m0, this.beta1) : tf.zerosLike(g), tf.mul(g, 1 - this.beta1));
        const v = tf.add(v0 ? tf.mul(v0, this.beta2) : tf.zerosLike(g), tf.mul(tf.square(g), 1 - this.beta2));
        this.slots.set('exp_avg', i, m);
        this.slots.set('exp_avg_sq', i, v);
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), this.eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), this.lrOf(i) / bc1)));
      });
    });
  }
}
