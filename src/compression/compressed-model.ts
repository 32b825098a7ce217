import type * as tf from '@tensorflow/tfjs-core';
import type { Engine, HookFn, HookHandle } from '../engine/index.js';
import type { Graph } from '../graph/index.js';
import type { CompressionNodeForm } from './node-form.js';

/**
 * Where an algorithm's operation goes: on a weight (each read) or on an edge (after it is produced). An
 * edge point with `consumers` is a pre-hook: only those nodes read the transformed value (NNCF's
 * per-consumer input quantizers on a branching tensor); the other consumers read it unchanged.
 */
export type InsertionPoint = { kind: 'weight'; name: string } | { kind: 'tensor'; name: string; consumers?: readonly string[] };

/** An algorithm's request to run `fn` at `point`; the engine applies it as a hook (algorithms never edit models). */
export interface InsertionCommand {
  point: InsertionPoint;
  fn: HookFn;
  /** Algorithm that issued the command (for statistics and removal). */
  owner: string;
  /** 'native' hands the tensor in the engine's layout (cheap); 'onnx' converts to ONNX layout first. */
  layout?: 'native' | 'onnx';
  /**
   * The same operation as a graph node (see node-form.ts), for training on ONNX Runtime; a command
   * without it makes the trainer fall back to the tfjs engine, naming the owner.
   */
  node?: CompressionNodeForm;
}

/**
 * The model under compression: the original Graph, the engine that runs it, and the commands applied
 * to it. Training code uses `run` and `trainableVariables`; exporters use `graph` + the controllers.
 */
export class CompressedModel {
  private readonly applied: { command: InsertionCommand; handle: HookHandle }[] = [];

  constructor(
    readonly graph: Graph,
    readonly engine: Engine,
  ) {}

  apply(command: InsertionCommand): void {
    const { point, fn, layout } = command;
    const specs =
      point.kind === 'weight'
        ? [{ weight: point.name, fn, layout }]
        : point.consumers
          ? point.consumers.map((consumer) => ({ tensor: point.name, consumer, fn, layout }))
          : [{ tensor: point.name, fn, layout }];
    const handles = specs.map((spec) => this.engine.insertHook(spec));
    this.applied.push({ command, handle: { remove: () => handles.forEach((h) => h.remove()) } });
  }

  commands(owner?: string): InsertionCommand[] {
    return this.applied.filter((a) => owner === undefined || a.command.owner === owner).map((a) => a.command);
  }

  /** Removes the commands of one algorithm (e.g. when a controller strips itself). */
  removeCommands(owner: string): void {
    for (let i = this.applied.length - 1; i >= 0; i--)
      if (this.applied[i].command.owner === owner) {
        this.applied[i].handle.remove();
        this.applied.splice(i, 1);
      }
  }

  run(feeds: Record<string, tf.Tensor>, opts: { outputs?: string[]; training?: boolean; bnTraining?: boolean } = {}): Record<string, tf.Tensor> {
    return this.engine.run(feeds, opts);
  }

  /** Model weights (compression parameters come from the controller). */
  trainableVariables(): tf.Variable[] {
    return this.engine.trainableVariables();
  }
}
