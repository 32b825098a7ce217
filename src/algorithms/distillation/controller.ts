/**
 * The knowledge_distillation controller. The teacher is a frozen Engine on the original (uncompressed)
 * weights, run in eval mode on the same inputs as the student. The student's inputs and outputs of the
 * latest train-mode forward are recorded by hooks (inserted after every other algorithm's commands, so the
 * outputs are the fully compressed ones); `loss()` runs the teacher on those inputs and returns the summed
 * loss over the output pairs (zero when no train-mode forward is pending). `recordForward` does the same
 * for callers that run the model another way.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BaseScheduler, CompressionStage, Statistics, type CompressedModel, type CompressionController, type ControllerState } from '../../compression/index.js';
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
    const owner = this.name;
    for (const inp of model.graph.inputs) {
      if (model.graph.initializers.has(inp.name)) continue;
      model.apply({
        owner,
        point: { kind: 'tensor', name: inp.name },
        layout: 'onnx',
        fn: (x, info) => {
          if (info.training) {
            if (this.outputs.size) this.outputs.clear();
            this.inputs.set(info.name, x);
          }
          return x;
        },
      });
    }
    for (const out of model.graph.outputs)
      model.apply({
        owner,
        point: { kind: 'tensor', name: out.name },
        layout: 'onnx',
        fn: (x, info) => {
          if (info.training) this.outputs.set(info.name, x);
          return x;
        },
      });
  }

  /** Sets the student forward to distil explicitly (inputs by model input name, outputs by output name). */
  recordForward(inputs: Record<string, tf.Tensor>, outputs: Record<string, tf.Tensor>): void {
    this.inputs = new Map(Object.entries(inputs));
    this.outputs = new Map(Object.entries(outputs));
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
    this.model.removeCommands(this.name);
    this.teacher.dispose();
  }
}
