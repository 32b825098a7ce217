/**
 * The knowledge_distillation controller. The teacher is a frozen Engine on the original (uncompressed)
 * weights, run in eval mode on the same inputs as the student. The caller's feeds and the returned
 * outputs of the latest train-mode `model.run` are recorded (the compressed model's run is wrapped);
 * `loss()` runs the teacher on those inputs and returns the summed loss over the output pairs (zero when
 * no train-mode forward is pending). `recordForward` does the same
 * for callers that run the model another way.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BaseScheduler, CompressionStage, Statistics, type CompressedModel, type CompressionController, type ControllerState, type HostSync } from '../../compression/index.js';
import type { Engine } from '../../engine/index.js';
import { kdOutputLoss, type KdType } from './kd-loss.js';

export interface KdParams {
  type: KdType;
  scale: number;
  temperature: number;
}

export class KnowledgeDistillationController implements CompressionController {
  readonly name = 'knowledge_distillation';
  readonly scheduler = new BaseScheduler();
  private inputs = new Map<string, tf.Tensor>();
  private outputs = new Map<string, tf.Tensor>();

  constructor(
    readonly model: CompressedModel,
    readonly teacher: Engine,
    readonly params: KdParams,
  ) {
    // Record the caller's raw feeds and the returned (fully compressed) outputs of train-mode forwards.
    // Wrapping run (rather than hooking the input edge) keeps the teacher's inputs unquantized.
    const original = model.run;
    const outputs = new Set(model.graph.outputs.map((o) => o.name));
    model.run = (feeds, opts = {}) => {
      const out = original.call(model, feeds, opts);
      if (opts.training) {
        this.inputs = new Map(Object.entries(feeds));
        this.outputs = new Map(Object.entries(out).filter(([k]) => outputs.has(k)));
      }
      return out;
    };
    this.restoreRun = () => {
      model.run = original;
    };
  }

  private readonly restoreRun: () => void;

  /** Sets the student forward to distil explicitly (inputs by model input name, outputs by output name). */
  recordForward(inputs: Record<string, tf.Tensor>, outputs: Record<string, tf.Tensor>): void {
    this.inputs = new Map(Object.entries(inputs));
    this.outputs = new Map(Object.entries(outputs));
  }

  /** The ORT trainer compiles the distillation loss into its graph; no scheduler work per step. */
  hostSync(): HostSync {
    return { step: 'none', loss: false };
  }

  loss(): tf.Scalar {
    const names = this.model.graph.outputs.map((o) => o.name);
    const live = (t: tf.Tensor | undefined) => t !== undefined && !t.isDisposed;
    if (!names.every((n) => live(this.outputs.get(n))) || ![...this.inputs.values()].every(live) || this.inputs.size === 0) return tf.scalar(0);
    const feeds = Object.fromEntries(this.inputs);
    const student = names.map((n) => this.outputs.get(n)!);
    this.inputs = new Map();
    this.outputs = new Map();
    return tf.tidy(() => {
      const t = this.teacher.run(feeds, { training: false });
      const { type, scale, temperature } = this.params;
      return names.reduce<tf.Scalar>((acc, n, i) => tf.add(acc, kdOutputLoss(type, t[n], student[i], scale, temperature)), tf.scalar(0));
    });
  }

  statistics(): Statistics {
    const { type, scale, temperature } = this.params;
    return new Statistics(this.name, type === 'softmax' ? { type, scale, temperature } : { type, scale });
  }

  compressionStage(): CompressionStage {
    return CompressionStage.FULLY_COMPRESSED;
  }

  disableScheduler(): void {}
  prepareForExport(): void {}
  editExportGraph(): void {}

  compressionVariables(): tf.Variable[] {
    return [];
  }

  getState(): ControllerState {
    return { scheduler_state: this.scheduler.getState(), compression_stage: this.compressionStage() };
  }

  loadState(state: ControllerState): void {
    this.scheduler.loadState(state.scheduler_state);
  }

  dispose(): void {
    this.restoreRun();
    this.teacher.dispose();
  }
}
