/**
 * What every sparsity controller shares (NNCF's BaseSparsityAlgoController): the masked weights, the
 * statistics collector, the export (weights × binary mask written into the export graph; the masks
 * themselves are gone), the masks as compression variables (saved in training checkpoints), and
 * `disableScheduler()` (a stub scheduler with target and current level 0).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CompressionStage, type CompressedModel, type CompressionController, type ControllerState, type HostSync, type Statistics } from '../../compression/index.js';
import type { Graph } from '../../graph/index.js';
import type { MaskedWeight } from './mask.js';
import { StubSparsityScheduler, type AnySparsityScheduler } from './schedulers.js';
import { collectSparsityStatistics, type SparsifiedModelStatistics } from './statistics.js';

export type SparsityMode = 'global' | 'local';

export class SparsityConfigError extends Error {
  override name = 'SparsityConfigError';
}

/** NNCF compares the mode with "global"/"local" only; any other spelling is refused here, naming the key. */
export function parseMode(algorithm: string, mode: string): SparsityMode {
  if (mode !== 'global' && mode !== 'local')
    throw new SparsityConfigError(`${algorithm}.params.sparsity_level_setting_mode must be "global" or "local", got ${JSON.stringify(mode)}`);
  return mode;
}

export abstract class SparsityControllerBase implements CompressionController {
  abstract readonly name: string;
  /** Masks apply before other weight operations and are written first at export (NNCF's SPARSIFICATION_PRIORITY). */
  readonly priority = -1;
  abstract scheduler: AnySparsityScheduler;

  constructor(
    readonly model: CompressedModel,
    readonly masked: readonly MaskedWeight[],
  ) {}

  /** A per-step schedule (update_per_optimizer_step) sets the level every step, reading the weights (magnitude thresholds). */
  hostSync(): HostSync {
    return { step: (this.scheduler as { perStep?: boolean }).perStep ? 'reads' : 'none', loss: false };
  }

  loss(): tf.Scalar {
    return tf.scalar(0);
  }

  abstract statistics(): Statistics;

  compressionStage(): CompressionStage {
    return CompressionStage.FULLY_COMPRESSED;
  }

  /** The binary mask the exported (and evaluated) model uses, storage layout; the caller disposes. */
  protected exportMask(m: MaskedWeight): tf.Tensor {
    return m.mask.clone();
  }

  collect(): SparsifiedModelStatistics {
    return collectSparsityStatistics(this.model.engine, this.masked);
  }

  disableScheduler(): void {
    this.scheduler = new StubSparsityScheduler(0, 0);
  }

  prepareForExport(): void {}

  editExportGraph(graph: Graph): void {
    for (const m of this.masked) {
      const values = tf.tidy(() => {
        const mask = this.exportMask(m);
        return m.toOnnx(tf.mul(m.weight, mask)).dataSync() as Float32Array;
      });
      const old = graph.initializers.get(m.layer.weight)!;
      graph.initializers.set(m.layer.weight, { ...old, dtype: 'float32', dims: [...m.layer.onnxDims], values: Float32Array.from(values) });
    }
  }

  compressionVariables(): tf.Variable[] {
    return this.masked.map((m) => m.mask);
  }

  getState(): ControllerState {
    return { scheduler_state: this.scheduler.getState(), compression_stage: this.compressionStage(), frozen: this.masked.map((m) => m.frozen) };
  }

  loadState(state: ControllerState): void {
    this.scheduler.loadState(state.scheduler_state);
    const frozen = state.frozen as boolean[] | undefined;
    if (frozen) this.masked.forEach((m, i) => (m.frozen = frozen[i] ?? m.frozen));
  }

  dispose(): void {
    for (const m of this.masked) m.dispose();
  }
}
