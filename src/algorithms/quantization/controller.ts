/**
 * NNCF's QuantizationController: the quantizers of one model, their statistics, export and state.
 * Without `params` the scheduler is a no-op (quantizers stay as built, enabled) and the stage is
 * FULLY_COMPRESSED when every quantizer is enabled, PARTIALLY when some are, else UNCOMPRESSED.
 * With `params` (spec/algorithms.md §7) the staged scheduler owns the enabled flags of the activation
 * and weight groups and the stage; see staged.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BaseScheduler, CompressionStage, type CompressionController, type ControllerState, type HostSync, type Statistics } from '../../compression/index.js';
import { channelSlice, keepEntries } from '../../compression/export-slices.js';
import { writeConvPaddingValue, writeQuantizers, type QuantizerExportSpec } from '../../exporters/onnx/quantized/index.js';
import type { Graph } from '../../graph/index.js';
import { isPaddingAdjusted, paddingValue, type PaddingAdjustment } from './adjust-padding.js';
import { Quantizer } from './fake-quantize/index.js';
import { exportSpecs } from './export-specs.js';
import { mirrorSpecs } from './export-mirror.js';
import type { QuantizerModule } from './modules.js';
import type { LatencyFallbackSummary } from './latency-fallback/index.js';
import type { HawqSummary } from './precision-hawq-summary.js';
export type { HawqSummary } from './precision-hawq-summary.js';
import type { RangeInitReport } from './range-init.js';
import { quantizationStatistics } from './statistics.js';
import { StagedQuantizationScheduler, type StagedQuantizationParamsLike } from './staged-scheduler.js';
import { stagedHandles, type StagedRangeInit } from './staged.js';

/** AutoQ's outcome: the chosen widths, the best reward and the search it came from. */
export interface AutoqSummary {
  /** Width per quantizer id. */
  bits: Record<string, number>;
  best_reward: number;
  best_episode: number;
  episodes: number;
  warmup_episodes: number;
  /** evalFn on the FP32 model (the reward is the score scaled by its order of magnitude). */
  pretrained_score: number;
  /** Σ params·bits / FP32 size of the chosen strategy, and the budget (compression_ratio). */
  model_size_ratio: number;
  target_size_ratio: number;
  /** Reward per episode, in order. */
  rewards: number[];
  /** Wall time of one episode's evaluation (build, range init, BN adaptation, evalFn). */
  mean_episode_ms: number;
}

export class QuantizationController implements CompressionController {
  readonly name: string;
  readonly scheduler: BaseScheduler | StagedQuantizationScheduler;
  rangeInit: RangeInitReport | null = null;
  bnAdaptationSteps = 0;
  /** NNCF adjust_padding candidates (NPU, 4-bit); active while their input quantizer is unsigned. */
  paddingAdjustments: readonly PaddingAdjustment[] = [];
  /** Placement made activations per-tensor for ORT's QLinearConv (QDQ export, no explicit per_channel); shown in the statistics. */
  activationsPerTensorForOrt = false;
  /** What the latency check (applyLatencyFallback) measured and kept float; null when it did not run. */
  latencyFallback: LatencyFallbackSummary | null = null;
  /** What HAWQ precision init chose (null without it, or on resume). */
  hawq: HawqSummary | null = null;
  /** What AutoQ precision init chose (null without it, or on resume). */
  autoq: AutoqSummary | null = null;
  /** Range inits the staged scheduler ran when a group turned on (epoch and report), in order. */
  readonly stagedRangeInits: { epoch: number; report: RangeInitReport | null }[] = [];

  constructor(
    name: string,
    readonly modules: readonly QuantizerModule[],
    private readonly graph: Graph,
    private readonly standardOps: boolean,
    staged?: { params: StagedQuantizationParamsLike; initRange: StagedRangeInit | null },
  ) {
    this.name = name;
    // NNCF creates the staged scheduler after initialization, so build-time range init and BN
    // adaptation ran with every quantizer on; the scheduler then disables groups before their epochs.
    this.scheduler = staged
      ? new StagedQuantizationScheduler(stagedHandles(this, staged.initRange, (r) => this.stagedRangeInits.push({ epoch: this.scheduler.currentEpoch, report: r })), staged.params)
      : new BaseScheduler();
  }

  /** The export writes QuantizeLinear/DequantizeLinear (ORT can run and time it). */
  get exportsStandardOps(): boolean {
    return this.standardOps;
  }

  get isStaged(): boolean {
    return this.scheduler instanceof StagedQuantizationScheduler;
  }

  /** Per step nothing: range init and staged flags happen at epoch steps (before the trainer's pull). */
  hostSync(): HostSync {
    return { step: 'none', loss: false };
  }

  loss(): tf.Scalar {
    return tf.scalar(0);
  }

  statistics(): Statistics {
    return quantizationStatistics([...this.modules], this.graph, { activationsPerTensorForOrt: this.activationsPerTensorForOrt, latencyFallback: this.latencyFallback });
  }

  compressionStage(): CompressionStage {
    if (this.scheduler instanceof StagedQuantizationScheduler) return this.scheduler.compressionStage();
    const on = this.modules.filter((m) => m.quantizer.enabled).length;
    if (on === 0) return CompressionStage.UNCOMPRESSED;
    return on === this.modules.length ? CompressionStage.FULLY_COMPRESSED : CompressionStage.PARTIALLY_COMPRESSED;
  }

  /** NNCF swaps in a stub scheduler: groups keep their current status, no more switches or range inits. */
  disableScheduler(): void {
    if (this.scheduler instanceof StagedQuantizationScheduler) this.scheduler.disable();
  }

  prepareForExport(): void {}

  editExportGraph(graph: Graph): void {
    const specs = exportSpecs([...this.modules]).map((spec) => followChannelSlices(graph, spec));
    if (this.standardOps) specs.push(...mirrorSpecs(graph, specs));
    writeQuantizers(graph, specs, { standardOps: this.standardOps });
    for (const a of this.paddingAdjustments.filter(isPaddingAdjusted)) {
      const value = tf.tidy(() => paddingValue(a).dataSync()[0]);
      writeConvPaddingValue(graph, a.conv, value);
    }
  }

  compressionVariables(): tf.Variable[] {
    return this.modules.flatMap((m) => m.quantizer.trainableVariables());
  }

  /** The quantizer with NNCF id `id`. */
  quantizer(id: string): Quantizer | undefined {
    return this.modules.find((m) => m.placed.id === id)?.quantizer;
  }

  getState(): ControllerState {
    return {
      scheduler_state: this.scheduler.getState(),
      compression_stage: this.compressionStage(),
      quantizers: Object.fromEntries(this.modules.map((m) => [m.placed.id, m.quantizer.toState()])),
    };
  }

  /** Quantizers first, then the scheduler: the staged one re-applies the enabled/disabled status of its epoch. */
  loadState(state: ControllerState): void {
    const qs = (state.quantizers ?? {}) as Record<string, unknown>;
    for (const m of this.modules) {
      const s = qs[m.placed.id];
      if (s === undefined) continue;
      const loaded = Quantizer.fromState(s);
      m.quantizer.dispose();
      m.quantizer = loaded;
    }
    this.scheduler.loadState(state.scheduler_state);
  }

  dispose(): void {
    for (const m of this.modules) m.quantizer.dispose();
  }
}

/**
 * A per-channel quantizer on a tensor an earlier export edit sliced (filter pruning's smaller model)
 * keeps the ranges of the kept channels only; per-tensor quantizers need nothing.
 */
function followChannelSlices(graph: Graph, spec: QuantizerExportSpec): QuantizerExportSpec {
  const axis = spec.perChannelAxis;
  if (axis === undefined) return spec;
  const keep = channelSlice(graph, spec.target.tensor, axis);
  if (!keep) return spec;
  const what = `quantizer ${spec.id}`;
  return {
    ...spec,
    inputLow: keepEntries(spec.inputLow, keep, what),
    inputHigh: keepEntries(spec.inputHigh, keep, what),
    ...(spec.clip ? { clip: { low: keepEntries(spec.clip.low, keep, what), high: keepEntries(spec.clip.high, keep, what) } } : {}),
  };
}
