/**
 * The `quantization` algorithm builder: placement (or the saved setup on resume) → one Quantizer per
 * placed quantizer → insertion commands; then, unless resuming (NNCF: should_init = no compression
 * state), range initialization and BatchNorm adaptation.
 */
import { CONFIG_DEFAULTS, type NNCFConfig, type ResolvedQuantization } from '../../config/index.js';
import type { BuildContext, BuilderState, CompressedModel, CompressionAlgorithmBuilder } from '../../compression/index.js';
import { hwConfigFor } from '../../hardware/index.js';
import { findPaddingAdjustments, paddingAdjustmentCommands, type PaddingAdjustment } from './adjust-padding.js';
import { placementOptions } from './config-adapter.js';
import { QuantizationController } from './controller.js';
import { quantizationInitServices, type HessianTraceMode } from './init-services.js';
import { buildModule, QuantizationSetupError, setFastForward, type QuantizerModule } from './modules.js';
import { activationsPerTensorForOrt, placeQuantizers, type QuantizerSpec as PlacedQuantizer } from './placement/index.js';
import { firstConvNodeNames, parseOverflowFix, weightRangeFlags } from './overflow-fix.js';
import { applyHawqPrecision, hawqWeightTensors, type HawqResult } from './precision-hawq.js';
import { hawqSummary } from './precision-hawq-summary.js';
import { applyManualPrecision, type ManualPrecisionOptions } from './precision-manual.js';
import { runAutoqPrecision, type AutoQRun } from './precision-autoq.js';
import { runRangeInit } from './range-init.js';
import type { StagedRangeInit } from './staged.js';

export interface QuantizationBuilderState extends BuilderState {
  quantizer_setup: PlacedQuantizer[];
}

function checkSetup(v: unknown): PlacedQuantizer[] {
  const setup = (v as QuantizationBuilderState | undefined)?.quantizer_setup;
  if (!Array.isArray(setup) || !setup.every((q) => typeof q?.id === 'string' && Array.isArray(q.points) && typeof q.bits === 'number'))
    throw new QuantizationSetupError('quantization builder state: quantizer_setup must be the list of placed quantizers saved by getBuilderState()');
  return structuredClone(setup) as PlacedQuantizer[];
}

export class QuantizationBuilder implements CompressionAlgorithmBuilder {
  readonly name = 'quantization';
  private setup: PlacedQuantizer[] = [];
  private modules: QuantizerModule[] = [];
  private paddingAdjustments: PaddingAdjustment[] = [];
  /** Setup decided by an asynchronous precision init in `prepare` (HAWQ). */
  private prepared: PlacedQuantizer[] | null = null;
  /** The HAWQ search's outcome (ratio, metric, trace order) on a fresh build. */
  hawq: (HawqResult & { traceIterations: number; traceMode: HessianTraceMode; requestedRatio: number }) | null = null;
  /** The AutoQ search's outcome on a fresh build. */
  autoq: AutoQRun | null = null;

  constructor(
    readonly section: ResolvedQuantization,
    readonly config: NNCFConfig,
  ) {}

  apply(model: CompressedModel, ctx: BuildContext): void {
    this.setup = ctx.builderState ? checkSetup(ctx.builderState) : (this.prepared ?? this.place(model));
    const lr = this.config.compressionLrMultiplier('quantization');
    const built = [];
    try {
      for (const p of this.setup) built.push(buildModule(p, model, lr));
    } catch (e) {
      for (const b of built) b.module.quantizer.dispose();
      throw e;
    }
    this.modules = built.map((b) => b.module);
    // adjust_padding: output corrections go before the quantizers' hooks, input shifts after them
    this.paddingAdjustments = findPaddingAdjustments(model.graph, this.modules, hwConfigFor(this.config.normalizedTargetDevice));
    const padding = paddingAdjustmentCommands(this.paddingAdjustments, model);
    for (const c of padding.output) model.apply(c);
    for (const b of built) for (const c of b.commands) model.apply(c);
    for (const c of padding.input) model.apply(c);
  }

  /**
   * HAWQ needs Hessian traces (data, gradients): it runs here, before `apply`, on the FP32 model — no
   * quantizer of this algorithm exists yet, as NNCF computes traces with quantizers disabled. AutoQ
   * runs here too: each candidate's quantizers are put into the FP32 model, evaluated and taken out.
   * Resume restores the saved bits instead (no precision init, as NNCF).
   */
  async prepare(model: CompressedModel, ctx: BuildContext): Promise<void> {
    this.prepared = null;
    this.hawq = null;
    this.autoq = null;
    const precision = this.section.initializer.precision;
    if (ctx.builderState || (precision?.type !== 'hawq' && precision?.type !== 'autoq')) return;
    const placed = this.placeOnly(model);
    const services = quantizationInitServices();
    if (precision.type === 'autoq') {
      const init = this.section.initializer;
      this.autoq = await runAutoqPrecision(model, this.config, precision, placed, this.precisionOptions(model), services, {
        rangeSection: init.range,
        bnSamples: init.batchnorm_adaptation.num_bn_adaptation_samples,
      });
      this.prepared = this.autoq.setup;
      return;
    }
    if (!services.hessianTraces)
      throw new QuantizationSetupError('HAWQ precision initialization is not connected: import createCompressedModel from src/api.ts (it wires the Hessian trace estimation)');
    if (precision.traces_per_layer_path !== undefined)
      throw new QuantizationSetupError(
        'quantization.initializer.precision.traces_per_layer_path is not supported by nncf-ts (NNCF stores the traces as a torch tensor file); remove it to estimate the traces',
      );
    const d = CONFIG_DEFAULTS.HAWQ_DEFAULTS;
    const tensors = hawqWeightTensors(placed);
    const estimate = tensors.length
      ? await services.hessianTraces(model, this.config, tensors, {
          numDataPoints: precision.num_data_points ?? d.num_data_points,
          iterNumber: precision.iter_number ?? d.iter_number,
          tolerance: precision.tolerance ?? d.tolerance,
        })
      : { traces: new Map<string, number>(), iterations: 0, mode: 'train' as const };
    const requestedRatio = precision.compression_ratio ?? d.compression_ratio;
    const result = applyHawqPrecision(model.graph, placed, estimate.traces, (name) => {
      const t = model.engine.getWeight(name);
      const values = Float32Array.from(t.dataSync() as Float32Array);
      const dims = [...t.shape];
      t.dispose();
      return { values, dims };
    }, {
      ...this.precisionOptions(model),
      bits: precision.bits ?? d.bits,
      compressionRatio: requestedRatio,
      mode: precision.bitwidth_assignment_mode ?? d.bitwidth_assignment_mode,
      device: this.config.normalizedTargetDevice,
    });
    this.hawq = { ...result, traceIterations: estimate.iterations, traceMode: estimate.mode, requestedRatio };
    this.prepared = result.setup;
  }

  private placeOnly(model: CompressedModel): PlacedQuantizer[] {
    return placeQuantizers(model.graph, placementOptions(this.section, this.config.normalizedTargetDevice)).quantizers;
  }

  private precisionOptions(model: CompressedModel): ManualPrecisionOptions {
    const device = this.config.normalizedTargetDevice;
    const overflowFix = parseOverflowFix(this.section.overflow_fix);
    const firstConvs = firstConvNodeNames(model.graph);
    return {
      hwConstrained: device !== 'TRIAL',
      weightRangeFlags: (q, bits) =>
        weightRangeFlags({ overflowFix, targetDevice: device, bits, isFirstLayer: q.points.some((p) => p.kind === 'weight' && firstConvs.has(p.node)) }),
    };
  }

  /** Placement, then manual precision init (NNCF: on a fresh build only; resume restores the saved bits). */
  private place(model: CompressedModel): PlacedQuantizer[] {
    const precision = this.section.initializer.precision;
    if (precision?.type === 'hawq' || precision?.type === 'autoq')
      throw new QuantizationSetupError(
        `${precision.type === 'hawq' ? 'HAWQ' : 'AutoQ'} precision initialization runs in the asynchronous build step: call prepare() before apply() (createCompressedModel does)`,
      );
    const placed = this.placeOnly(model);
    if (!precision) return placed;
    return applyManualPrecision(model.graph, placed, precision.bitwidth_per_scope ?? [], this.precisionOptions(model));
  }

  async buildController(model: CompressedModel, ctx: BuildContext): Promise<QuantizationController> {
    const make = (initRange: StagedRangeInit | null) => {
      const c = new QuantizationController(this.name, this.modules, model.graph, this.section.export_to_onnx_standard_ops, this.section.params && { params: this.section.params, initRange });
      c.paddingAdjustments = this.paddingAdjustments;
      c.activationsPerTensorForOrt = activationsPerTensorForOrt(placementOptions(this.section, this.config.normalizedTargetDevice));
      return c;
    };
    // resume: parameters come from the controller state; NNCF keeps no build-time range-init params then
    if (ctx.builderState) return make(null);
    const services = quantizationInitServices();
    const rangeInit = (trained: boolean) => runRangeInit(this.modules, model, this.config, this.section.initializer.range, services, { trained });
    const report = await rangeInit(false);
    // No gradients in BN adaptation: activation quantizers run the one-pass forward kernel meanwhile.
    setFastForward(this.modules, true);
    let bnSteps = 0;
    try {
      bnSteps = await services.adaptBatchNorm(model, this.config, this.section.initializer.batchnorm_adaptation.num_bn_adaptation_samples);
    } finally {
      setFastForward(this.modules, false);
    }
    // The staged scheduler (if any) is created after initialization, as in NNCF; it re-runs range init
    // with the same parameters when a group turns on, unless the build-time one had nothing to run.
    const ctrl = make(report.skipped ? null : () => rangeInit(true));
    ctrl.rangeInit = report;
    ctrl.bnAdaptationSteps = bnSteps;
    if (this.hawq) {
      const h = this.hawq;
      ctrl.hawq = hawqSummary(h, h.requestedRatio, h.traceIterations, h.traceMode);
    }
    if (this.autoq) {
      const a = this.autoq;
      const ms = a.episodes.map((e) => e.ms);
      ctrl.autoq = {
        bits: Object.fromEntries(a.setup.map((q) => [q.id, q.bits])),
        best_reward: a.bestReward,
        best_episode: a.bestEpisode,
        episodes: a.episodes.length,
        warmup_episodes: a.warmupEpisodes,
        pretrained_score: a.pretrainedScore,
        model_size_ratio: a.sizeRatio,
        target_size_ratio: a.targetSizeRatio,
        rewards: a.episodes.map((e) => e.reward),
        mean_episode_ms: ms.length ? ms.reduce((x, y) => x + y, 0) / ms.length : 0,
      };
    }
    return ctrl;
  }

  getBuilderState(): QuantizationBuilderState {
    return { quantizer_setup: structuredClone(this.setup) };
  }
}
