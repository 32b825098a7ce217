import type { QuantizationMode, QuantizerConfig } from '../../../hardware/index.js';

/**
 * What placement needs from a resolved `quantization` config section (config-reference §4), in
 * camelCase. Defined here, not imported from src/config, so both can evolve; an adapter maps the
 * NNCF keys (`per_channel` → perChannel, `unified_scale_ops` → unifiedScaleOps…) onto it.
 */

export interface ScopeSettings {
  ignoredScopes?: string | string[];
  targetScopes?: string | string[];
  /** default true */
  validateScopes?: boolean;
}

export interface GroupSettings extends ScopeSettings {
  mode?: QuantizationMode;
  bits?: number;
  signed?: boolean;
  perChannel?: boolean;
  logarithmScale?: boolean;
}

export interface ActivationGroupSettings extends GroupSettings {
  /** Each sub-array: op names whose inputs share one quantizer (exact node names). */
  unifiedScaleOps?: string[][];
}

export interface ScopeOverride {
  mode?: QuantizationMode;
  bits?: number;
  signed?: boolean;
  perChannel?: boolean;
  /** Passed through untouched to the quantizer (range init per scope). */
  initializer?: unknown;
}

export type OverflowFix = 'enable' | 'disable' | 'first_layer_only';
export type Preset = 'performance' | 'mixed';

export interface QuantizationPlacementOptions extends ScopeSettings {
  /** default 'ANY' */
  targetDevice?: string;
  /** absent = not given (matters for TRIAL and NPU) */
  preset?: Preset;
  weights?: GroupSettings;
  activations?: ActivationGroupSettings;
  scopeOverrides?: {
    weights?: Record<string, ScopeOverride>;
    activations?: Record<string, ScopeOverride>;
  };
  /** default true */
  quantizeInputs?: boolean;
  /** default false */
  quantizeOutputs?: boolean;
  /** default 'enable' */
  overflowFix?: OverflowFix;
  /**
   * The model is exported as QuantizeLinear/DequantizeLinear for onnxruntime. On CPU/ANY, when
   * `activations.perChannel` is not given, activations are then per-tensor: the hardware config lets a
   * depthwise convolution's input be per-channel, but ORT's QLinearConv takes one input scale, so ORT
   * would leave those convolutions float (and pay for the Q/DQ around them).
   */
  qdqForOrt?: boolean;
}

/** NNCF DEFAULT_QUANTIZER_CONFIG: 8-bit symmetric per-tensor, signedness from statistics. */
export const DEFAULT_QUANTIZER_CONFIG: Readonly<QuantizerConfig> = { bits: 8, mode: 'symmetric', perChannel: false };

export class QuantizationPlacementError extends Error {
  override name = 'QuantizationPlacementError';
}
