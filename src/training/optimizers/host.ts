/**
 * The trainer's optimizers (Sgd, Adam) as tight loops over Float32Arrays, for the ORT trainer that keeps
 * the parameters host-side between steps. Every operation is rounded to float32 in the order the tfjs
 * versions run their ops (Math.fround after each +, −, ×, ÷, √ of float32 operands is exactly the float32
 * result), so both give bit-identical parameters and slots: checkpoints, resume and the ORT-vs-tfjs
 * comparisons do not depend on which one ran. Hyper-parameters are read from the tfjs optimizer at each
 * step (LR schedules set them there); the slots and step count move between the two with
 * `load` / `save` at the sync points.
 */
import type { Optimizer, ParamGroups } from './types.js';

const f = Math.fround;

/** One parameter: its values (updated in place) and its gradient for this step (undefined: skipped). */
export interface HostParamUpdate {
  /** Position in the trainer's variable list (the slots' key). */
  index: number;
  values: Float32Array;
  grad: Float32Array | undefined;
}

export class HostOptimizer {
  /** slots[name].get(variable index): momentum_buffer, exp_avg, exp_avg_sq (the tfjs slot names). */
  readonly slots = new Map<string, Map<number, Float32Array>>();
  steps = 0;

  constructor(readonly type: 'sgd' | 'adam') {}

  private slot(name: string, i: number): Float32Array | undefined {
    return this.slots.get(name)?.get(i);
  }

  private setSlot(name: string, i: number, v: Float32Array): void {
    let m = this.slots.get(name);
    if (!m) this.slots.set(name, (m = new Map()));
    m.set(i, v);
  }

  /** One update with `opt`'s current hyper-parameters (the tfjs optimizer the trainer configures). */
  apply(opt: Optimizer, params: readonly HostParamUpdate[]): void {
    if (opt.type !== this.type) throw new Error(`host optimizer is ${this.type}, the trainer's is ${opt.type}`);
    this.steps++;
    if (this.type === 'sgd') this.sgd(opt as unknown as SgdLike, params);
    else this.adam(opt as unknown as AdamLike, params);
  }

  private sgd(o: SgdLike, params: readonly HostParamUpdate[]): void {
    const mu = f(o.momentum);
    const keep = f(1 - o.dampening);
    for (const { index, values: p, grad: g } of params) {
      if (!g) continue;
      // the tfjs optimizer's lrOf / weight decay of this variable's group, rounded as its scalars are
      const wd = f(o.groups ? o.groups.weightDecay[index] : o.weightDecay);
      const lr = f(o.groups ? o.lr * o.groups.lrScale[index] : o.lr);
      const n = p.length;
      if (o.momentum === 0) {
        for (let k = 0; k < n; k++) {
          const d = wd !== 0 ? f(g[k] + f(p[k] * wd)) : g[k];
          p[k] = f(p[k] - f(d * lr));
        }
        continue;
      }
      let buf = this.slot('momentum_buffer', index);
      const first = !buf;
      if (!buf) this.setSlot('momentum_buffer', index, (buf = new Float32Array(n)));
      for (let k = 0; k < n; k++) {
        let d = wd !== 0 ? f(g[k] + f(p[k] * wd)) : g[k];
        const next = first ? d : f(f(buf[k] * mu) + f(d * keep));
        buf[k] = next;
        d = o.nesterov ? f(d + f(next * mu)) : next;
        p[k] = f(p[k] - f(d * lr));
      }
    }
  }

  private adam(o: AdamLike, params: readonly HostParamUpdate[]): void {
    const t = this.steps;
    const b1 = f(o.beta1);
    const b2 = f(o.beta2);
    const c1 = f(1 - o.beta1);
    const c2 = f(1 - o.beta2);
    const bc2Sqrt = f(Math.sqrt(1 - o.beta2 ** t));
    const eps = f(o.eps);
    for (const { index, values: p, grad: g0 } of params) {
      if (!g0) continue;
      const wd = f(o.groups ? o.groups.weightDecay[index] : o.weightDecay);
      const step = f((o.groups ? o.lr * o.groups.lrScale[index] : o.lr) / (1 - o.beta1 ** t));
      const n = p.length;
      let m = this.slot('exp_avg', index);
      let v = this.slot('exp_avg_sq', index);
      // tfjs adds to zerosLike(g) on the first step: 0 + x = x, the same as a zero-filled slot
      if (!m) this.setSlot('exp_avg', index, (m = new Float32Array(n)));
      if (!v) this.setSlot('exp_avg_sq', index, (v = new Float32Array(n)));
      for (let k = 0; k < n; k++) {
        const g = wd !== 0 ? f(g0[k] + f(p[k] * wd)) : g0[k];
        const mk = f(f(m[k] * b1) + f(g * c1));
        const vk = f(f(v[k] * b2) + f(f(g * g) * c2));
        m[k] = mk;
        v[k] = vk;
        const denom = f(f(f(Math.sqrt(vk)) / bc2Sqrt) + eps);
        p[k] = f(p[k] - f(f(mk / denom) * step));
      }
    }
  }
}

interface SgdLike {
  lr: number;
  weightDecay: number;
  groups?: ParamGroups;
  momentum: number;
  dampening: number;
  nesterov: boolean;
}

interface AdamLike {
  lr: number;
  weightDecay: number;
  groups?: ParamGroups;
  beta1: number;
  beta2: number;
  eps: number;
}
