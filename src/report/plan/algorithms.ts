/**
 * Per algorithm, what the plan says about it: what it compresses (`describeAlgorithm`) and its
 * schedule state in NNCF's names (`algorithmState`). One entry per algorithm; an algorithm added later
 * adds its describer and state reader here (its issue names the state keys).
 */
import {
  QuantizationController,
  quantizationReport,
  type QuantizerReport,
} from '../../algorithms/quantization/index.js';
import { KnowledgeDistillationController } from '../../algorithms/distillation/index.js';
import { MovementSparsityController, SparsityControllerBase } from '../../algorithms/sparsity/index.js';
import { sparsityState } from './sparsity-state.js';
import { stageName, type CompressionController } from '../../compression/index.js';
import type { NNCFConfig } from '../../config/index.js';
import { scopeOf, type Graph } from '../../graph/index.js';
import { keptFloatLayers, type KeptFloatLayer } from './kept-float.js';
import { describePruning, FilterPruningController, pruningState } from './pruning.js';

export type AlgorithmState = Record<string, boolean | number | string | Record<string, number>>;

export interface PlannedQuantizer extends Pick<
  QuantizerReport,
  'id' | 'kind' | 'bits' | 'mode' | 'signed' | 'per_channel' | 'narrow_range' | 'half_range' | 'enabled'
> {
  // `enabled` is as built, before the schedule (which shows when staged groups turn on)
  /** Layers whose input (activation) or weight (weight) this quantizer feeds. */
  layers: string[];
  /** Where `signed` comes from: the config or hardware (fixed at placement), range init (min < 0), or the default when range init did not run. */
  signedness_from: 'placement' | 'range init' | 'default (no range init)';
}

export interface AlgorithmPlan {
  algorithm: string;
  [detail: string]: unknown;
}

/** The controllers of a (possibly composite) controller, in config order. */
export function controllersOf(c: CompressionController): readonly CompressionController[] {
  return (c as { children?: readonly CompressionController[] }).children ?? [c];
}

function describeQuantization(ctrl: QuantizationController, config: NNCFConfig, graph: Graph): AlgorithmPlan {
  const report = quantizationReport(ctrl);
  const section = config.algorithm('quantization')!;
  const quantizers: PlannedQuantizer[] = report.quantizers.map((q, i) => {
    const p = ctrl.modules[i].placed;
    // weight points name nodes; quantizedNodes are scopes already — report scopes for both
    const scope = (name: string) => {
      const n = graph.node(name);
      return n ? scopeOf(n) : name;
    };
    const layers =
      p.kind === 'weight'
        ? [...new Set(p.points.flatMap((pt) => (pt.kind === 'weight' ? [scope(pt.node)] : [])))]
        : [...p.quantizedNodes];
    const signedness_from =
      p.signed !== undefined
        ? 'placement'
        : report.range_init?.initialized
          ? 'range init'
          : 'default (no range init)';
    return {
      id: q.id,
      kind: q.kind,
      bits: q.bits,
      mode: q.mode,
      signed: q.signed,
      signedness_from,
      per_channel: q.per_channel,
      narrow_range: q.narrow_range,
      half_range: q.half_range,
      enabled: q.enabled,
      layers,
    };
  });
  const keptFloat: KeptFloatLayer[] = keptFloatLayers(
    graph,
    ctrl.modules.map((m) => m.placed),
    section,
    config.normalizedTargetDevice,
  );
  return {
    algorithm: 'quantization',
    target_device: config.normalizedTargetDevice,
    quantizers,
    totals: report.totals,
    kept_float: keptFloat,
    range_init: report.range_init,
    bn_adaptation_steps: report.bn_adaptation_steps,
    staged: section.params
      ? {
          activations_quant_start_epoch: section.params.activations_quant_start_epoch,
          weights_quant_start_epoch: section.params.weights_quant_start_epoch,
        }
      : null,
    ...(report.hawq ? { hawq: report.hawq } : {}),
    ...(report.autoq ? { autoq: report.autoq } : {}),
  };
}

/** `graph`: the model's graph (the one the controller's quantizers were placed on). */
export function describeAlgorithm(
  ctrl: CompressionController,
  config: NNCFConfig,
  graph: Graph,
): AlgorithmPlan {
  if (ctrl instanceof QuantizationController) return describeQuantization(ctrl, config, graph);
  if (ctrl instanceof FilterPruningController) return describePruning(ctrl);
  if (ctrl instanceof MovementSparsityController)
    return {
      algorithm: ctrl.name,
      sparsified_layers: ctrl.sparsifiers.map((s) => ({ name: s.name, weight: s.layer.weight, bias: s.layer.bias ?? null, shape: s.layer.shape, structure: s.structure, sparse_factors: s.sparseFactors })),
      structured_groups: ctrl.groups.map((g) => ({ kind: g.kind, block: g.block, rows: g.members.filter((m) => m.byRow).map((m) => m.layer), columns: g.members.filter((m) => !m.byRow).map((m) => m.layer) })),
    };
  if (ctrl instanceof SparsityControllerBase)
    return { algorithm: ctrl.name, sparsified_layers: ctrl.masked.map((m) => ({ name: m.name, weight: m.layer.weight, shape: m.layer.onnxDims })) };
  if (ctrl instanceof KnowledgeDistillationController)
    return {
      algorithm: ctrl.name,
      teacher: 'the original (uncompressed) model, frozen, eval mode',
      ...ctrl.params,
      compresses: 'nothing: adds a distillation loss on every model output',
    };
  return { algorithm: ctrl.name };
}

/** Schedule state in NNCF's names: quantization {weights_enabled, activations_enabled, stage}; others {stage}. */
export function algorithmState(ctrl: CompressionController): AlgorithmState {
  const stage = stageName(ctrl.compressionStage());
  if (ctrl instanceof QuantizationController) {
    const on = (kind: 'weight' | 'activation') =>
      ctrl.modules.filter((m) => m.placed.kind === kind).every((m) => m.quantizer.enabled);
    return { weights_enabled: on('weight'), activations_enabled: on('activation'), stage };
  }
  if (ctrl instanceof FilterPruningController) return pruningState(ctrl);
  if (ctrl instanceof SparsityControllerBase) return { ...sparsityState(ctrl), stage };
  if (ctrl instanceof MovementSparsityController) {
    const stats = ctrl.collect();
    // −∞ before warm-up; JSON has no −Infinity, so the plan writes the string
    const t = ctrl.importanceThreshold;
    return {
      importance_threshold: Number.isFinite(t) ? t : String(t),
      importance_regularization_factor: ctrl.importanceRegularizationFactor,
      model_sparsity_level: stats.sparsityLevel,
      sparsity_level_for_layers: stats.sparsityLevelForLayers,
      stage,
    };
  }
  return { stage };
}
