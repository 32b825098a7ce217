import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from '../errors.js';
import type { SlotState } from './types.js';

/** Per-variable state tensors (momentum, Adam moments) created lazily, saved and restored exactly. */
export class Slots {
  private readonly byName = new Map<string, Map<number, tf.Variable>>();

  get(name: string, i: number): tf.Variable | undefined {
    return this.byName.get(name)?.get(i);
  }

  set(name: string, i: number, value: tf.Tensor): void {
    let m = this.byName.get(name);
    if (!m) this.byName.set(name, (m = new Map()));
    const have = m.get(i);
    if (have) have.assign(value);
    else m.set(i, tf.variable(value, false));
  }

  save(): Record<string, Record<number, SlotState>> {
    const out: Record<string, Record<number, SlotState>> = {};
    for (const [name, m] of this.byName) {
      out[name] = {};
      for (const [i, v] of m) out[name][i] = { shape: [...v.shape], data: Float32Array.from(v.dataSync() as Float32Array) };
    }
    return out;
  }

  load(saved: Record<string, Record<number, SlotState>>, variables: readonly tf.Variable[]): void {
    this.dispose();
    for (const [name, m] of Object.entries(saved))
      for (const [key, s] of Object.entries(m)) {
        const i = Number(key);
        const v = variables[i];
        if (!v) throw new CheckpointError(`optimizer slot ${name}[${i}] has no variable (the model has ${variables.length} optimized variables)`);
        if (v.shape.join() !== s.shape.join())
          throw new CheckpointError(`optimizer slot ${name}[${i}] has shape [${s.shape}] but the variable has [${v.shape}]`);
        const t = tf.tensor(s.data, s.shape, 'float32');
        this.set(name, i, t);
        t.dispose();
      }
  }

  dispose(): void {
    for (const m of this.byName.values()) for (const v of m.values()) v.dispose();
    this.byName.clear();
  }
}
