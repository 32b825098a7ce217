/**
 * Runs a compiled training graph on onnxruntime-node: one session per graph, parameters fed from JS
 * each step, loss and gradients returned as Float32Arrays. Optimizer-free: the caller updates
 * `parameters` in place (SGD, Adam, LR schedules stay in training/). Running statistics are carried
 * from step to step here, as the engine's BatchNorm does in train mode.
 */
import { OrtSession } from '../runtime/session.js';
import type { TrainingGraph } from './compile.js';

export interface OrtTrainerStepOptions {
  /** Threads inside one op (default: ORT's choice, one per physical core). */
  threads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

export interface TrainStepResult {
  loss: number;
  /** The task loss and the distillation term (0 without KD); `loss` is their sum. */
  terms: { task: number; kd: number };
  /** Gradient of each parameter, by name (fresh arrays each step). */
  gradients: Map<string, Float32Array>;
  /** The forward tensors asked for at compile time (CompileOptions.outputs), by name. */
  outputs: Map<string, { data: ArrayLike<number>; shape: number[] }>;
}

interface Feed {
  dtype: 'float32' | 'int64';
  shape: number[];
  data: Float32Array | BigInt64Array;
}

export class OrtTrainerStep {
  /** Current parameter values by name; update them in place between steps. */
  readonly parameters: Map<string, Float32Array>;
  /** Running statistics by name, replaced by their updated values after each step. */
  readonly state: Map<string, Float32Array>;
  /** Values of the fed inputs (CompileOptions.fed: masks, staged flags) by name; set them before a step. */
  readonly fed: Map<string, Float32Array>;

  private constructor(
    private readonly compiled: TrainingGraph,
    private readonly session: OrtSession,
  ) {
    this.parameters = new Map(compiled.parameters.map((p) => [p.name, Float32Array.from(p.initial)]));
    this.state = new Map(compiled.state.map((s) => [s.name, Float32Array.from(s.initial)]));
    this.fed = new Map(compiled.fed.map((f) => [f.name, Float32Array.from(f.initial)]));
  }

  static async create(compiled: TrainingGraph, opts: OrtTrainerStepOptions = {}): Promise<OrtTrainerStep> {
    const session = await OrtSession.fromGraph(compiled.graph, {
      intraOpThreads: opts.threads,
      interOpThreads: opts.threads === undefined ? undefined : 1,
      graphOptimizationLevel: opts.graphOptimizationLevel,
    });
    return new OrtTrainerStep(compiled, session);
  }

  /**
   * One forward + backward. `data` maps each data input to its values and shape (a lone array feeds
   * the only input); `labels` are class ids, or float targets with their shape (MSE); `extra` feeds
   * further float inputs by name (the teacher's output with KD).
   */
  async step(
    data: Record<string, { data: Float32Array; shape: number[] }> | { data: Float32Array; shape: number[] },
    labels: ArrayLike<number> | { data: Float32Array; shape: number[] },
    extra: Record<string, { data: Float32Array; shape: number[] }> = {},
  ): Promise<TrainStepResult> {
    const c = this.compiled;
    const named =
      'data' in data && ArrayBuffer.isView(data.data)
        ? { [c.dataInputs[0].name]: data as { data: Float32Array; shape: number[] } }
        : (data as Record<string, { data: Float32Array; shape: number[] }>);
    const feeds: Record<string, Feed> = {};
    for (const [name, v] of Object.entries(named))
      feeds[name] = { dtype: 'float32', shape: v.shape, data: v.data };
    for (const [name, v] of Object.entries(extra)) feeds[name] = { dtype: 'float32', shape: v.shape, data: v.data };
    if ('shape' in labels && !Array.isArray(labels)) {
      const t = labels as { data: Float32Array; shape: number[] };
      feeds[c.labels] = { dtype: 'float32', shape: t.shape, data: t.data };
    } else {
      const ids = labels as ArrayLike<number>;
      feeds[c.labels] = { dtype: 'int64', shape: [ids.length], data: BigInt64Array.from(Array.from(ids, (l) => BigInt(l))) };
    }
    for (const p of c.parameters)
      feeds[p.name] = { dtype: 'float32', shape: p.dims, data: this.parameters.get(p.name)! };
    for (const s of c.state)
      feeds[s.name] = { dtype: 'float32', shape: s.dims, data: this.state.get(s.name)! };
    for (const f of c.fed) feeds[f.name] = { dtype: 'float32', shape: f.dims, data: this.fed.get(f.name)! };
    const out = await this.session.run(feeds);
    for (const s of c.state) this.state.set(s.name, out[s.updated].data as Float32Array);
    const gradients = new Map(c.parameters.map((p) => [p.name, out[p.gradient].data as Float32Array]));
    const outputs = new Map(
      c.outputs.map((t) => [t, { data: out[t].data as ArrayLike<number>, shape: out[t].shape }]),
    );
    const scalar = (name?: string) => (name ? (out[name].data as Float32Array)[0] : 0);
    return { loss: scalar(c.loss), terms: { task: scalar(c.terms.task), kd: scalar(c.terms.kd) }, gradients, outputs };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
