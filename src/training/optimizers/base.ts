import * as tf from '@tensorflow/tfjs-core';
import { TrainingConfigError } from '../errors.js';
import { Slots } from './slots.js';
import type { Optimizer, OptimizerState, ParamGroups } from './types.js';

/**
 * What Sgd and Adam share: lr / weightDecay fields, the step count, per-variable slots, their
 * save/restore, and torch's L2 weight decay (added to the gradient). Option validation stays in
 * the subclasses (their error order differs).
 */
export abstract class SlotOptimizer implements Optimizer {
  abstract readonly type: 'sgd' | 'adam';
  protected steps = 0;
  protected readonly slots = new Slots();

  constructor(
    readonly variables: readonly tf.Variable[],
    public lr: number,
    public weightDecay: number,
    readonly groups?: ParamGroups,
  ) {
    if (groups && (groups.lrScale.length !== variables.length || groups.weightDecay.length !== variables.length))
      throw new Error(`parameter groups cover ${groups.lrScale.length} variables, the optimizer has ${variables.length}`);
  }

  /** The LR of variable i (its group's share of the scheduled LR). */
  protected lrOf(i: number): number {
    return this.groups ? this.lr * this.groups.lrScale[i] : this.lr;
  }

  abstract apply(grads: readonly (tf.Tensor | undefined)[]): void;

  /** g + wd·p (g itself when wd is 0) with variable i's weight decay; call inside tf.tidy. */
  protected withWeightDecay(p: tf.Variable, g: tf.Tensor, i: number): tf.Tensor {
    const wd = this.groups ? this.groups.weightDecay[i] : this.weightDecay;
    return wd !== 0 ? tf.add(g, tf.mul(p, wd)) : g;
  }

  getState(): OptimizerState {
    return { type: this.type, lr: this.lr, weightDecay: this.weightDecay, steps: this.steps, slots: this.slots.save() };
  }

  loadState(s: OptimizerState): void {
    if (s.type !== this.type) throw new TrainingConfigError('optimizer.type', `the checkpoint holds "${s.type}" state but the optimizer is "${this.type}"`);
    this.lr = s.lr;
    this.weightDecay = s.weightDecay;
    this.steps = s.steps;
    this.slots.load(s.slots, this.variables);
  }

  dispose(): void {
    this.slots.dispose();
  }
}
