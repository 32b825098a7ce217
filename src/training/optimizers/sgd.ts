import * as tf from '@tensorflow/tfjs-core';
import { TrainingConfigError } from '../errors.js';
import { SlotOptimizer } from './base.js';
import type { ParamGroups } from './types.js';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  groups?: ParamGroups;
}

/**
 * torch.optim.SGD: d = g + wd·p; with momentum, buf = d on the first step, else buf = μ·buf + (1−τ)·d;
 * Nesterov uses d + μ·buf, plain momentum uses buf; p ← p − lr·d.
 */
export class Sgd extends SlotOptimizer {
  readonly type = 'sgd';
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;

  constructor(
    variables: readonly tf.Variable[],
    o: SgdOptions,
  ) {
    super(variables, o.lr, o.weightDecay ?? 0, o.groups);
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.nesterov = o.nesterov ?? false;
    if (!(this.lr >= 0)) throw new TrainingConfigError('optimizer.base_lr', `must be a non-negative number, got ${o.lr}`);
    if (!(this.momentum >= 0)) throw new TrainingConfigError('optimizer.optimizer_params.momentum', `must be >= 0, got ${o.momentum}`);
    if (!(this.weightDecay >= 0)) throw new TrainingConfigError('optimizer.weight_decay', `must be >= 0, got ${o.weightDecay}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0))
      throw new TrainingConfigError('optimizer.optimizer_params.nesterov', 'Nesterov momentum requires a momentum > 0 and zero dampening');
  }

  apply(grads: readonly (tf.Tensor | undefined)[]): void {
    this.steps++;
    this.variables.forEach((p, i) => {
      const g = grads[i];
      if (!g) return;
      tf.tidy(() => {
        let d: tf.Tensor = this.withWeightDecay(p, g, i);
        if (this.momentum !== 0) {
          const buf = this.slots.get('momentum_buffer', i);
          const next = buf ? tf.add(tf.mul(buf, this.momentum), tf.mul(d, 1 - this.dampening)) : d;
          this.slots.set('momentum_buffer', i, next);
          d = this.nesterov ? tf.add(d, tf.mul(next, this.momentum)) : next;
        }
        p.assign(tf.sub(p, tf.mul(d, this.lrOf(i))));
      });
    });
  }
}
