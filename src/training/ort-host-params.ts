/**
 * The ORT trainer's host-side copy of what it trains: every trainable graph input (engine weights and
 * trainable compression-node inputs) and every running statistic as an ONNX-layout Float32Array — the
 * very buffer fed to ORT — updated in place by the HostOptimizer. The tf.Variables are written only at
 * the sync points (`push`: before evaluation, checkpoints, callbacks that read weights, the end of
 * training) and read back at `pull` (each epoch start: after the scheduler's epoch step, a range init, a
 * checkpoint restore or an optimizer reset, whatever changed them). Mid-epoch, controller hooks that read
 * or write variables (controller.hostSync) get `writeVariables` before and `readVariables` after. Layout conversions are bijections
 * (transpose / reshape), and the optimizers are element-wise, so host and tfjs updates agree bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nodeInputValue, type CompressedModel, type CompressionNodeInput } from '../compression/index.js';
import type { OrtTrainerStep } from '../autodiff/index.js';
import { HostOptimizer, type HostParamUpdate } from './optimizers/host.js';
import type { Optimizer, SlotState } from './optimizers/index.js';
import type { OrtPlan } from './ort-plan.js';

export interface HostParam {
  /** Graph input name. */
  name: string;
  variable: tf.Variable;
  /** Position in the trainer's variable list (the optimizer's order). */
  index: number;
  /** compression_lr_multiplier of a compression-node input (1 for weights). */
  lrMultiplier: number;
  /** A node input the hook may not read now (a disabled staged quantizer): no gradient then. */
  active?: () => boolean;
  /** The variable (or a slot of its shape) → ONNX layout values. */
  toHost(t: tf.Tensor): Float32Array;
  /** ONNX layout values → a tensor in the variable's layout (caller disposes). */
  fromHost(values: Float32Array): tf.Tensor;
}

interface HostStat {
  name: string;
  variable: tf.Variable;
  toHost(t: tf.Tensor): Float32Array;
  fromHost(values: Float32Array): tf.Tensor;
}

const inversePerm = (p: number[]) => p.map((_, i) => p.indexOf(i));

function weightLayout(perm: number[] | null, onnxDims: number[]) {
  return {
    toHost: (t: tf.Tensor) => Float32Array.from(tf.tidy(() => (perm ? tf.transpose(t, inversePerm(perm)) : t).dataSync() as Float32Array)),
    fromHost: (v: Float32Array) => tf.tidy(() => (perm ? tf.transpose(tf.tensor(v, onnxDims), perm) : tf.tensor(v, onnxDims))),
  };
}

function nodeInputLayout(input: CompressionNodeInput, dims: number[]) {
  return {
    toHost: (t: tf.Tensor) => nodeInputValue({ ...input, value: t }).values,
    fromHost: (v: Float32Array) => tf.tidy(() => (input.fromOnnx ? input.fromOnnx(tf.tensor(v, dims)) : tf.tensor(v, dims))),
  };
}

/**
 * The parameters and statistics of a plan, or why they cannot live host-side (a variable read by two
 * graph inputs, or a trainable graph input that is not one of the trainer's variables).
 */
export function hostLayout(plan: OrtPlan, model: CompressedModel, variables: readonly tf.Variable[]): { params: HostParam[]; stats: HostStat[] } | { reason: string } {
  const weights = new Map(model.engine.weights().map((w) => [w.name, w]));
  const params: HostParam[] = [];
  for (const p of plan.compiled.parameters) {
    const input = plan.nodeInputs.get(p.name);
    const w = input ? undefined : weights.get(p.name);
    const variable = input ? (input.value as tf.Variable) : w?.variable;
    const index = variable ? variables.indexOf(variable) : -1;
    if (!variable || index < 0) return { reason: `the training-graph input "${p.name}" is not one of the trainer's variables` };
    const layout = input ? nodeInputLayout(input, p.dims) : weightLayout(w!.perm, w!.onnxDims);
    params.push({ name: p.name, variable, index, lrMultiplier: input?.lrMultiplier ?? 1, active: input?.active, ...layout });
  }
  if (new Set(params.map((p) => p.index)).size !== params.length) return { reason: 'a variable is read by two training-graph inputs' };
  const stats: HostStat[] = plan.compiled.state.map((s) => {
    const w = weights.get(s.name)!;
    return { name: s.name, variable: w.variable, ...weightLayout(w.perm, w.onnxDims) };
  });
  return { params, stats };
}

/** The host copy: values fed to ORT, pending gradients, the host optimizer. */
export class HostParams {
  private readonly pending: (Float32Array | undefined)[];
  private optimizer: HostOptimizer | undefined;
  /** Host values changed since the last push (the variables are stale). */
  dirty = false;

  constructor(
    private readonly params: HostParam[],
    private readonly stats: HostStat[],
    private readonly step: OrtTrainerStep,
  ) {
    this.pending = params.map(() => undefined);
  }

  /** Variables (and the tfjs optimizer's slots) → host buffers. */
  pull(opt: Optimizer): void {
    for (const p of this.params) this.step.parameters.set(p.name, p.toHost(p.variable));
    for (const s of this.stats) this.step.state.set(s.name, s.toHost(s.variable));
    const state = opt.getState();
    const host = new HostOptimizer(opt.type);
    host.steps = state.steps;
    for (const p of this.params)
      for (const [slot, byIndex] of Object.entries(state.slots)) {
        const saved = byIndex[p.index];
        if (!saved) continue;
        const t = tf.tensor(saved.data, saved.shape, 'float32');
        const values = p.toHost(t);
        t.dispose();
        let m = host.slots.get(slot);
        if (!m) host.slots.set(slot, (m = new Map()));
        m.set(p.index, values);
      }
    this.optimizer = host;
    this.pending.fill(undefined);
    this.dirty = false;
  }

  /** Host buffers → variables, and the host optimizer's slots and step count → the tfjs optimizer. */
  push(opt: Optimizer): void {
    if (!this.dirty) return;
    const write = (v: tf.Variable, t: tf.Tensor) => {
      v.assign(t);
      t.dispose();
    };
    for (const p of this.params) write(p.variable, p.fromHost(this.step.parameters.get(p.name)!));
    for (const s of this.stats) write(s.variable, s.fromHost(this.step.state.get(s.name)!));
    const state = opt.getState();
    const slots: Record<string, Record<number, SlotState>> = state.slots;
    for (const p of this.params)
      for (const [slot, m] of this.optimizer!.slots) {
        const values = m.get(p.index);
        if (!values) continue;
        const t = p.fromHost(values);
        (slots[slot] ??= {})[p.index] = { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
        t.dispose();
      }
    opt.loadState({ ...state, steps: this.optimizer!.steps, slots });
    this.dirty = false;
  }

  /**
   * Host values → the variables (all parameters and statistics, or only the parameters whose variable is
   * in `only`), for a controller hook that reads them mid-epoch. The optimizer slots stay host-side
   * (`dirty` is kept: push still writes them).
   */
  writeVariables(only?: ReadonlySet<tf.Variable>): void {
    for (const p of this.params) {
      if (only && !only.has(p.variable)) continue;
      const t = p.fromHost(this.step.parameters.get(p.name)!);
      p.variable.assign(t);
      t.dispose();
    }
    if (only) return;
    for (const s of this.stats) {
      const t = s.fromHost(this.step.state.get(s.name)!);
      s.variable.assign(t);
      t.dispose();
    }
  }

  /** The variables → host values, after a hook that may have changed them; pending gradients and slots are kept. */
  readVariables(): void {
    for (const p of this.params) this.step.parameters.set(p.name, p.toHost(p.variable));
    for (const s of this.stats) this.step.state.set(s.name, s.toHost(s.variable));
  }

  /**
   * Adds gradients computed with tfjs (controller loss terms), index-aligned with the trainer's
   * variables, as is: their ops already carry compression_lr_multiplier. Takes ownership. A gradient
   * to a variable that is not a host parameter cannot be applied here: an error naming it.
   */
  addVariableGradients(grads: readonly (tf.Tensor | undefined)[]): void {
    const byIndex = new Map(this.params.map((p, i) => [p.index, i]));
    try {
      grads.forEach((g, index) => {
        if (!g) return;
        const i = byIndex.get(index);
        if (i === undefined) throw new Error(`a controller loss has a gradient to a variable the training graph does not read (variable #${index}); the ORT host mode cannot apply it`);
        const values = this.params[i].toHost(g);
        const have = this.pending[i];
        if (have) for (let k = 0; k < values.length; k++) have[k] = Math.fround(have[k] + values[k]);
        else this.pending[i] = values;
      });
    } finally {
      for (const g of grads) g?.dispose();
    }
  }

  /**
   * Keeps the channels of running statistics a step must not move (elastic width's inactive channels):
   * call before the step, then the returned function after it.
   */
  freezeStats(frozen: readonly { name: string; keep: Uint8Array }[]): () => void {
    const saved = frozen.flatMap(({ name, keep }) => {
      const now = this.step.state.get(name);
      if (!now) return []; // not a statistic of the training graph: the step does not move it
      if (now.length !== keep.length) throw new Error(`frozen running statistic "${name}": ${now.length} values, ${keep.length} keep flags`);
      return [{ name, keep, old: Float32Array.from(now) }];
    });
    return () => {
      for (const { name, keep, old } of saved) {
        const now = this.step.state.get(name)!;
        for (let i = 0; i < now.length; i++) if (!keep[i]) now[i] = old[i];
      }
    };
  }

  /** Adds one step's gradients (compression_lr_multiplier applied, as the tfjs ops scale theirs). */
  addGradients(gradients: ReadonlyMap<string, Float32Array>): void {
    this.params.forEach((p, i) => {
      if (p.active && !p.active()) return; // the hook does not read it now: no gradient (not 0)
      let g = gradients.get(p.name)!;
      if (p.lrMultiplier !== 1) {
        const m = Math.fround(p.lrMultiplier);
        for (let k = 0; k < g.length; k++) g[k] = Math.fround(g[k] * m);
      }
      const have = this.pending[i];
      if (have) {
        for (let k = 0; k < g.length; k++) have[k] = Math.fround(have[k] + g[k]);
        g = have;
      }
      this.pending[i] = g;
    });
  }

  /** One optimizer step over the accumulated gradients, then clears them. */
  apply(opt: Optimizer): void {
    const updates: HostParamUpdate[] = this.params.map((p, i) => ({ index: p.index, values: this.step.parameters.get(p.name)!, grad: this.pending[i] }));
    this.optimizer!.apply(opt, updates);
    this.pending.fill(undefined);
    this.dirty = true;
  }

  /** Running statistics moved in ORT's step: the host copy is ahead of the variables. */
  markStepped(): void {
    this.dirty = true;
  }
}
