import * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../graph/index.js';
import { CompositeScheduler, type CompressionScheduler } from './scheduler.js';
import { CompressionStage, combineStages } from './stage.js';
import { Statistics } from './statistics.js';

/** What a controller saves for resume: scheduler position, stage and algorithm extras (NNCF's ctrl_state). */
export interface ControllerState {
  scheduler_state: ReturnType<CompressionScheduler['getState']>;
  compression_stage: CompressionStage;
  [extra: string]: unknown;
}

/**
 * A controller's per-step use of tf.Variables (weights, running statistics, compression parameters):
 * - step 'none': the next scheduler.step() neither reads nor writes them (it may set masks or flags,
 *   which the training graph reads as fed inputs at every step);
 * - 'reads': it reads them (e.g. a magnitude threshold from the weights): the trainer writes its copy first;
 * - 'writes': it may also change them: the trainer also reads them back after;
 * - loss: loss() reads this controller's compressionVariables() and has gradients to them (RB logits,
 *   movement importance); false: loss() is the constant 0;
 * - feeds: its fed node inputs are computed from its compressionVariables() when read before a step
 *   (movement's mask from the scores); absent: false.
 * The trainer writes the compressionVariables() of a controller with `loss` or `feeds` before each step.
 */
export interface HostSync {
  step: 'none' | 'reads' | 'writes';
  loss: boolean;
  feeds?: boolean;
}

/**
 * Handle on one compression algorithm applied to a model (NNCF's CompressionAlgorithmController).
 * Masks, quantizers, elastic ops and teacher models all sit behind this interface.
 */
export interface CompressionController {
  /** Config algorithm name, e.g. "quantization". */
  readonly name: string;
  readonly scheduler: CompressionScheduler;
  /** Compression loss to add to the task loss (a scalar; zero for algorithms without one). */
  loss(): tf.Scalar;
  statistics(): Statistics;
  compressionStage(): CompressionStage;
  /** Present on algorithms whose level can be set (sparsity, pruning): used by accuracy-aware training. */
  compressionRate?: number;
  readonly maximalCompressionRate?: number;
  /** Freezes the schedule where it is (NNCF's disable_scheduler). */
  disableScheduler(): void;
  /** Removes training-only behaviour before export (e.g. applies masks permanently). */
  prepareForExport(): void;
  /** Writes the algorithm's compression into `graph`, a copy of the model made for export. */
  editExportGraph(graph: Graph): void;
  /** Export order across algorithms, as the builder's `priority` (lower first; 0 when absent). */
  readonly priority?: number;
  /** Compression parameters (ranges, mask logits…); their gradient rules carry compression_lr_multiplier (NNCF's CompressionParameter). */
  compressionVariables(): tf.Variable[];
  /**
   * True when the next training forward sets parameters from its batch (binarization's activation scale,
   * set in NNCF's first forward). Those are tfjs hooks, which a compiled ORT step does not run, so the
   * trainer runs that batch's forward on the engine first. Absent: never.
   */
  needsForwardInit?(): boolean;
  /**
   * Running statistics (BatchNorm mean/var, by engine weight name) whose channels with keep 0 a training
   * step must leave as they were: elastic width's inactive channels, which NNCF's trimmed BatchNorm never
   * touches. The trainer restores them after each step. Absent: none.
   */
  frozenRunningStats?(): { name: string; keep: Uint8Array }[];
  /**
   * What the next `scheduler.step()` and `loss()` do with tf.Variables, for a trainer that keeps the
   * parameters elsewhere between sync points (the ORT trainer's host mode). Absent: the trainer syncs
   * around every step as for `{ step: 'writes' }` and takes loss() gradients every step.
   */
  hostSync?(): HostSync;
  /**
   * Files the algorithm writes into the run's log_dir, by file name (e.g. movement sparsity's
   * structured_sparsity.csv, as NNCF writes it there). Absent or empty: none yet.
   */
  logFiles?(): Record<string, string>;
  getState(): ControllerState;
  loadState(state: ControllerState): void;
  dispose(): void;
}

/** A controller for several algorithms, in the order the config lists them. */
export class CompositeController implements CompressionController {
  readonly name = 'composite';
  readonly scheduler: CompositeScheduler;

  constructor(readonly children: readonly CompressionController[]) {
    this.scheduler = new CompositeScheduler(children.map((c) => c.scheduler));
  }

  child(name: string): CompressionController | undefined {
    return this.children.find((c) => c.name === name);
  }

  loss(): tf.Scalar {
    return tf.tidy(() => this.children.reduce<tf.Scalar>((acc, c) => tf.add(acc, c.loss()), tf.scalar(0)));
  }

  statistics(): Statistics {
    return new Statistics('composite', {}, [], this.children.map((c) => c.statistics()));
  }

  compressionStage(): CompressionStage {
    return combineStages(this.children.map((c) => c.compressionStage()));
  }

  disableScheduler(): void {
    for (const c of this.children) c.disableScheduler();
  }

  prepareForExport(): void {
    for (const c of this.children) c.prepareForExport();
  }

  editExportGraph(graph: Graph): void {
    for (const c of byPriority(this.children)) c.editExportGraph(graph);
  }

  compressionVariables(): tf.Variable[] {
    return this.children.flatMap((c) => c.compressionVariables());
  }

  needsForwardInit(): boolean {
    return this.children.some((c) => c.needsForwardInit?.() ?? false);
  }

  logFiles(): Record<string, string> {
    return Object.assign({}, ...this.children.map((c) => c.logFiles?.() ?? {})) as Record<string, string>;
  }

  getState(): ControllerState {
    const state: ControllerState = { scheduler_state: this.scheduler.getState(), compression_stage: this.compressionStage() };
    for (const c of this.children) state[c.name] = c.getState();
    return state;
  }

  loadState(state: ControllerState): void {
    for (const c of this.children) {
      const s = state[c.name] as ControllerState | undefined;
      if (s) c.loadState(s);
    }
  }

  dispose(): void {
    for (const c of this.children) c.dispose();
  }
}

/** Stable order by `priority` (lower first): masks are written into weights before quantizers read them. */
export function byPriority<T extends { priority?: number }>(items: readonly T[]): T[] {
  return items.map((item, i) => ({ item, i })).sort((a, b) => (a.item.priority ?? 0) - (b.item.priority ?? 0) || a.i - b.i).map((x) => x.item);
}
