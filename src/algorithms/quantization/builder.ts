/**
 * The `quantization` algorithm builder: placement (or the saved setup on resume) → one Quantizer per
 * placed quantizer → insertion commands; then, unless resuming (NNCF: should_init = no compression
 * state), range initialization and BatchNorm adaptation.
 */
import type { NNCFConfig, ResolvedQuantization } from '../../config/index.js';
import type { BuildContext, BuilderState, CompressedModel, CompressionAlgorithmBuilder } from '../../compression/index.js';
import { placementOptions } from './config-adapter.js';
import { QuantizationController } from './controller.js';
import { quantizationInitServices } from './init-services.js';
import { buildModule, QuantizationSetupError, setFastForward, type QuantizerModule } from './modules.js';
import { placeQuantizers, type QuantizerSpec as PlacedQuantizer } from './placement/index.js';
import { firstConvNodeNames, parseOverflowFix, weightRangeFlags } from './overflow-fix.js';
import { applyManualPrecision } from './precision-manual.js';
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

  constructor(
    readonly section: ResolvedQuantization,
    readonly config: NNCFConfig,
  ) {}

  apply(model: CompressedModel, ctx: BuildContext): void {
    this.setup = ctx.builderState ? checkSetup(ctx.builderState) : this.place(model);
    const lr = this.config.compressionLrMultiplier('quantization');
    const built = [];
    try {
      for (const p of this.setup) built.push(buildModule(p, model, lr));
    } catch (e) {
      for (const b of built) b.module.quantizer.dispose();
      throw e;
    }
    this.modules = built.map((b) => b.module);
    for (const b of built) for (const c of b.commands) model.apply(c);
  }

  /** Placement, then precision init (NNCF: on a fresh build only; resume restores the saved bits). */
  private place(model: CompressedModel): PlacedQuantizer[] {
    const precision = this.section.initializer.precision;
    // HAWQ/AutoQ searches are not built yet: refuse rather than quietly quantize everything to one width.
    if (precision && precision.type !== 'manual')
      throw new QuantizationSetupError(
        `quantization.initializer.precision type "${precision.type}" is not supported yet by nncf-ts (only "manual" is); ` +
          `remove it to quantize with the group "bits", or give the bit widths with type "manual" and bitwidth_per_scope`,
      );
    const device = this.config.normalizedTargetDevice;
    const placed = placeQuantizers(model.graph, placementOptions(this.section, device)).quantizers;
    if (!precision) return placed;
    const overflowFix = parseOverflowFix(this.section.overflow_fix);
    const firstConvs = firstConvNodeNames(model.graph);
    return applyManualPrecision(model.graph, placed, precision.bitwidth_per_scope ?? [], {
      hwConstrained: device !== 'TRIAL',
      weightRangeFlags: (q, bits) =>
        weightRangeFlags({ overflowFix, targetDevice: device, bits, isFirstLayer: q.points.some((p) => p.kind === 'weight' && firstConvs.has(p.node)) }),
    });
  }

  async buildController(model: CompressedModel, ctx: BuildContext): Promise<QuantizationController> {
    const make = (initRange: StagedRangeInit | null) =>
      new QuantizationController(this.name, this.modules, model.graph, this.section.export_to_onnx_standard_ops, this.section.params && { params: this.section.params, initRange });
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
    return ctrl;
  }

  getBuilderState(): QuantizationBuilderState {
    return { quantizer_setup: structuredClone(this.setup) };
  }
}
