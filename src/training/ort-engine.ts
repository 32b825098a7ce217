/**
 * One training step on ONNX Runtime: the compiled training graph computes the task loss (and the
 * distillation term) with every parameter's gradient. Two ways to keep the parameters:
 * - host mode (`host` set, the default): parameters, running statistics and optimizer slots live in
 *   ONNX-layout Float32Arrays (ort-host-params.ts) updated in place by the host optimizer; the
 *   tf.Variables are written at the trainer's sync points only, and around the controller hooks that
 *   read or write them (controller.hostSync; the trainer drives this).
 * - per-step sync (asked for with `sync: 'per-step'`, the reference path, or when the layout cannot live
 *   host-side: a variable read by two graph inputs): each step reads the parameters and statistics from
 *   the variables, writes the statistics back and hands the gradients, in each variable's layout, to the
 *   trainer's optimizer.
 * Either way the variables are the truth at every sync point, so checkpoints are the same whichever
 * engine trained.
 */
import * as tf from '@tensorflow/tfjs-core';
import { OrtTrainerStep } from '../autodiff/index.js';
import { FedInputReader, nodeInputGradient, refreshNodeInputs, type CompressedModel } from '../compression/index.js';
import type { Batch, NdArray } from '../data/index.js';
import type { BatchMetric, StepResult } from './grad-step.js';
import { OrtTeacher } from './kd-teacher.js';
import type { OrtPlan } from './ort-plan.js';
import { HostParams, hostLayout } from './ort-host-params.js';

interface Slot {
  name: string;
  variable: tf.Variable;
  perm: number[] | null;
  onnxDims: number[];
  /** Position in the trainer's variable list (the optimizer's order); -1 for running statistics. */
  index: number;
}

/** Milliseconds spent in ORT's training run, in the KD teacher's run, and in JS (feeds, gradients, statistics). */
export interface OrtStepTiming {
  steps: number;
  ortMs: number;
  teacherMs: number;
  syncMs: number;
}

const onnxValues = (s: Slot): Float32Array =>
  s.perm
    ? tf.tidy(() => tf.transpose(s.variable, inversePerm(s.perm!)).dataSync() as Float32Array)
    : (s.variable.dataSync() as Float32Array);

function inversePerm(p: number[]): number[] {
  const inv = new Array<number>(p.length);
  p.forEach((v, i) => (inv[v] = i));
  return inv;
}

function classIds(y: NdArray): number[] {
  return Array.from(y.data as ArrayLike<number | bigint>, Number);
}

export class OrtTrainingEngine {
  readonly timing: OrtStepTiming = { steps: 0, ortMs: 0, teacherMs: 0, syncMs: 0 };
  /** Host mode's reads of the fed inputs (masks, staged flags): only those whose tensor changed. */
  readonly fedReader = new FedInputReader();

  private constructor(
    readonly plan: OrtPlan,
    private readonly step: OrtTrainerStep,
    private readonly params: Slot[],
    private readonly stats: Slot[],
    private readonly variables: readonly tf.Variable[],
    private readonly teacher?: OrtTeacher,
    /** Host mode: the parameters live here between sync points (undefined: per-step sync). */
    readonly host?: HostParams,
    /** Why host mode is off (undefined when on). */
    readonly perStepReason?: string,
  ) {}

  static async create(
    plan: OrtPlan,
    model: CompressedModel,
    variables: readonly tf.Variable[],
    inputName: string,
    threads: number,
    sync: 'host' | 'per-step' = 'host',
  ): Promise<OrtTrainingEngine> {
    const weights = new Map(model.engine.weights().map((w) => [w.name, w]));
    const slot = (name: string): Slot => {
      const w = weights.get(name)!;
      return { name, variable: w.variable, perm: w.perm, onnxDims: w.onnxDims, index: variables.indexOf(w.variable) };
    };
    const step = await OrtTrainerStep.create(plan.compiled, { threads });
    const teacher = plan.kd ? await OrtTeacher.create(plan.kd.teacher, inputName, plan.output, threads) : undefined;
    const isWeight = (name: string) => weights.has(name) && !plan.nodeInputs.has(name);
    const params = plan.compiled.parameters.filter((p) => isWeight(p.name)).map((p) => slot(p.name));
    const layout = sync === 'per-step' ? { reason: 'per-step sync was asked for' } : hostLayout(plan, model, variables);
    const host = 'params' in layout ? new HostParams(layout.params, layout.stats, step) : undefined;
    const reason = 'reason' in layout ? layout.reason : undefined;
    return new OrtTrainingEngine(plan, step, params, plan.compiled.state.map((s) => slot(s.name)), variables, teacher, host, reason);
  }

  /** Host mode, one batch: forward + backward on ORT, gradients added to the host accumulator. */
  async runHost(batch: Batch, batchMetric?: BatchMetric): Promise<StepResult> {
    const host = this.host!;
    const t0 = performance.now();
    // fed inputs (staged flags, masks) are read from their tensors when those changed; trainable ones live host-side
    this.fedReader.refresh(this.plan.nodeInputs, this.step.fed);
    const r = await this.forwardBackward(batch, t0);
    host.addGradients(r.gradients);
    host.markStepped();
    const t2 = performance.now();
    const metric = this.metric(batch, r.outputs, batchMetric);
    this.timing.syncMs += performance.now() - t2;
    return { loss: r.loss, taskLoss: r.terms.task, compressionLoss: r.terms.kd, metric };
  }

  /** Labels, teacher and the ORT run; accounts the ORT and teacher time. */
  private async forwardBackward(batch: Batch, t0: number) {
    const { compiled } = this.plan;
    const x = batch.x as NdArray<'float32'>;
    if (!batch.y) throw new Error('the ORT trainer needs labels for the task loss');
    const labels = compiled.labelsDtype === 'int64' ? classIds(batch.y) : { data: Float32Array.from(batch.y.data as ArrayLike<number>), shape: batch.y.shape };
    const tTeacher = performance.now();
    const extra = this.teacher ? { [compiled.teacher!]: await this.teacher.run(x) } : {};
    const t1 = performance.now();
    const r = await this.step.step({ [compiled.dataInputs[0].name]: { data: x.data as Float32Array, shape: x.shape } }, labels, extra);
    const t2 = performance.now();
    this.timing.steps++;
    this.timing.ortMs += t2 - t1;
    this.timing.teacherMs += t1 - tTeacher;
    this.timing.syncMs += tTeacher - t0;
    return r;
  }

  private metric(batch: Batch, outputs: ReadonlyMap<string, { data: ArrayLike<number>; shape: number[] }>, batchMetric?: BatchMetric): number | undefined {
    if (!batchMetric) return undefined;
    const o = outputs.get(this.plan.output)!;
    const logits = tf.tensor(o.data instanceof Float32Array ? o.data : Float32Array.from(o.data), o.shape);
    const y = tf.tensor(Float32Array.from(batch.y!.data as ArrayLike<number>, Number), batch.y!.shape);
    const metric = batchMetric({ [this.plan.output]: logits }, y);
    tf.dispose([logits, y]);
    return metric;
  }

  /** Per-step sync, one batch: returns the losses and one gradient per trainer variable (undefined: none). */
  async run(batch: Batch, batchMetric?: BatchMetric): Promise<{ result: StepResult; grads: (tf.Tensor | undefined)[] }> {
    const { compiled } = this.plan;
    const t0 = performance.now();
    for (const s of this.params) this.step.parameters.set(s.name, onnxValues(s));
    for (const s of this.stats) this.step.state.set(s.name, onnxValues(s));
    refreshNodeInputs(this.plan.nodeInputs, this.step);
    const r = await this.forwardBackward(batch, t0);
    const t2 = performance.now();
    for (const s of this.stats) {
      const t = tf.tensor(this.step.state.get(s.name)!, s.onnxDims, 'float32');
      s.variable.assign(t);
      t.dispose();
    }
    const grads: (tf.Tensor | undefined)[] = new Array(this.variables.length).fill(undefined);
    for (const s of this.params) {
      const g = r.gradients.get(s.name)!;
      if (s.index >= 0) grads[s.index] = tf.tidy(() => (s.perm ? tf.transpose(tf.tensor(g, s.onnxDims), s.perm) : tf.tensor(g, s.onnxDims)));
    }
    // Trainable compression-node inputs: back to the variable's layout, scaled by compression_lr_multiplier
    // (the tfjs hooks scale their gradients the same way, NNCF's CompressionParameter).
    for (const p of compiled.parameters) {
      const input = this.plan.nodeInputs.get(p.name);
      const index = input ? this.variables.indexOf(input.value as tf.Variable) : -1;
      if (!input || index < 0) continue;
      if (input.active && !input.active()) continue; // the hook does not read it now: no gradient (not 0)
      const m = input.lrMultiplier ?? 1;
      const g = nodeInputGradient(input, r.gradients.get(p.name)!, p.dims);
      grads[index] = m === 1 ? g : tf.tidy(() => tf.mul(g, m));
      if (m !== 1) g.dispose();
    }
    const metric = this.metric(batch, r.outputs, batchMetric);
    this.timing.syncMs += performance.now() - t2;
    return { result: { loss: r.loss, taskLoss: r.terms.task, compressionLoss: r.terms.kd, metric }, grads };
  }

  async release(): Promise<void> {
    await this.step.release();
    await this.teacher?.release();
  }
}
