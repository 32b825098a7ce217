import { effectiveGroupScopes, matchesScope, type ScopeFilter } from '../../../graph/index.js';
import {
  applyConstraints,
  deviceTraits,
  updateConstraints,
  type HwConfig,
  type QuantizationConstraints,
  type QuantizerConfig,
} from '../../../hardware/index.js';
import {
  DEFAULT_QUANTIZER_CONFIG,
  QuantizationPlacementError,
  type GroupSettings,
  type OverflowFix,
  type QuantizationPlacementOptions,
  type ScopeOverride,
} from './options.js';

export type Group = 'weights' | 'activations';

/** Everything the passes read, resolved once: device, preset, per-group constraints and scopes. */
export interface ResolvedSettings {
  targetDevice: string;
  hw: HwConfig | null;
  overflowFixApplies: boolean;
  overflowFix: OverflowFix;
  constraints: Record<Group, QuantizationConstraints>;
  scopes: Record<Group, ScopeFilter>;
  logarithmScale: Record<Group, boolean>;
  /** [default activation qconfig] — NNCF `default_qconfig_list`. */
  defaultActivationConfigs: QuantizerConfig[];
  overrides: Record<Group, Record<string, ScopeOverride>>;
  quantizeInputs: boolean;
  quantizeOutputs: boolean;
  unifiedScaleOps?: string[][];
  /** Activations made per-tensor for ORT's QLinearConv (see `QuantizationPlacementOptions.qdqForOrt`). */
  activationsPerTensorForOrt: boolean;
  /** QDQ export for ORT on CPU/ANY: convolution outputs get a quantizer where ORT needs one to fuse QLinearConv (ort-conv-outputs.ts). */
  convOutputsForOrt: boolean;
}

/** Devices whose hardware config allows per-channel activations where ORT needs per-tensor ones. */
const ORT_PER_TENSOR_DEVICES: readonly string[] = ['ANY', 'CPU'];

/** True when placement makes activations per-tensor for onnxruntime (QDQ export, CPU/ANY, no explicit `activations.per_channel`). */
export function activationsPerTensorForOrt(o: QuantizationPlacementOptions): boolean {
  return o.qdqForOrt === true && o.activations?.perChannel === undefined && ORT_PER_TENSOR_DEVICES.includes(o.targetDevice ?? 'ANY');
}

const PRESET_MODES = {
  performance: { weights: 'symmetric', activations: 'symmetric' },
  mixed: { weights: 'symmetric', activations: 'asymmetric' },
} as const;

const OVERFLOW_FIX_VALUES: readonly string[] = ['enable', 'disable', 'first_layer_only'];

export function resolveSettings(o: QuantizationPlacementOptions): ResolvedSettings {
  const targetDevice = o.targetDevice ?? 'ANY';
  const traits = deviceTraits(targetDevice);
  if (targetDevice === 'CPU_SPR')
    throw new QuantizationPlacementError('target_device CPU_SPR is not supported by the quantization algorithm (as in NNCF)');
  if (o.preset !== undefined && !(o.preset in PRESET_MODES))
    throw new QuantizationPlacementError(`quantization.preset must be "performance" or "mixed", got ${JSON.stringify(o.preset)}`);
  if (traits.presetPolicy === 'forbidden' && o.preset !== undefined)
    throw new QuantizationPlacementError(`The ${targetDevice} target device does not support presets (quantization.preset).`);
  const overflowFix = o.overflowFix ?? 'enable';
  if (!OVERFLOW_FIX_VALUES.includes(overflowFix))
    throw new QuantizationPlacementError(`quantization.overflow_fix must be one of ${OVERFLOW_FIX_VALUES.join(', ')}, got ${JSON.stringify(overflowFix)}`);

  const preset = traits.presetPolicy === 'default-performance' ? (o.preset ?? 'performance') : traits.presetPolicy === 'only-if-given' ? o.preset : undefined;
  const constraintsOf = (g: Group, s: GroupSettings | undefined): QuantizationConstraints => {
    // The preset gives the mode; an explicit group `mode` overrides it.
    const c: QuantizationConstraints = preset ? { mode: PRESET_MODES[preset][g] } : {};
    return updateConstraints(c, { bits: s?.bits, mode: s?.mode, signed: s?.signed, perChannel: s?.perChannel });
  };
  const perTensorForOrt = activationsPerTensorForOrt(o);
  const activationSettings = perTensorForOrt ? { ...o.activations, perChannel: false } : o.activations;
  const constraints = { weights: constraintsOf('weights', o.weights), activations: constraintsOf('activations', activationSettings) };
  const algoScopes = { ignoredScopes: o.ignoredScopes, targetScopes: o.targetScopes };
  return {
    targetDevice,
    hw: traits.hwConfig,
    overflowFixApplies: traits.overflowFix,
    overflowFix,
    constraints,
    scopes: {
      weights: effectiveGroupScopes(algoScopes, o.weights),
      activations: effectiveGroupScopes(algoScopes, o.activations),
    },
    logarithmScale: { weights: o.weights?.logarithmScale ?? false, activations: o.activations?.logarithmScale ?? false },
    defaultActivationConfigs: [applyConstraints(DEFAULT_QUANTIZER_CONFIG, constraints.activations)],
    overrides: { weights: o.scopeOverrides?.weights ?? {}, activations: o.scopeOverrides?.activations ?? {} },
    quantizeInputs: o.quantizeInputs ?? true,
    quantizeOutputs: o.quantizeOutputs ?? false,
    unifiedScaleOps: o.activations?.unifiedScaleOps,
    activationsPerTensorForOrt: perTensorForOrt,
    convOutputsForOrt: o.qdqForOrt === true && ORT_PER_TENSOR_DEVICES.includes(targetDevice),
  };
}

/** Group constraints updated by every matching scope override (later keys win), plus the matched initializer. */
export function scopedConstraints(s: ResolvedSettings, group: Group, scope: string): { c: QuantizationConstraints; initializer?: unknown } {
  let c = s.constraints[group];
  let initializer: unknown;
  for (const [pattern, ov] of Object.entries(s.overrides[group])) {
    if (!matchesScope(scope, pattern)) continue;
    c = updateConstraints(c, { bits: ov.bits, mode: ov.mode, signed: ov.signed, perChannel: ov.perChannel });
    if (ov.initializer !== undefined) initializer = ov.initializer;
  }
  return { c, initializer };
}
