import type { QuantizationMode, QuantizerConfig } from '../../../hardware/index.js';

/** Where a quantizer applies. */
export type InsertionPoint =
  /** On a constant weight tensor read by `node` at `port`. */
  | { kind: 'weight'; node: string; port: number; tensor: string }
  /** On a tensor as produced (post-hook): every consumer sees the quantized value. `producer` is absent for model inputs. */
  | { kind: 'output'; tensor: string; producer?: string }
  /** On one consumer's input only (pre-hook). `consumer` is the output tensor name for a model-output quantizer. */
  | { kind: 'input'; tensor: string; consumer: string; port: number };

/** One quantizer module: several points when scales are unified (Concat/NPU elementwise inputs) or a weight is shared. */
export interface QuantizerSpec {
  /** NNCF-style id: `<scope>|WEIGHT`, `<scope>|OUTPUT`, `<scope>|INPUT<port>` (of the first point). */
  id: string;
  kind: 'weight' | 'activation';
  points: InsertionPoint[];
  bits: number;
  mode: QuantizationMode;
  /** undefined: decided at range init from statistics (signed iff any min < 0). */
  signed: boolean | undefined;
  perChannel: boolean;
  /** Axis of the per-channel scale (weights: output channels; activations: 1). */
  channelAxis?: number;
  /** 8-bit weights without half range use narrow range (−127..127). */
  narrowRange: boolean;
  /** Overflow fix: 7 effective bits. */
  halfRange: boolean;
  logarithmScale: boolean;
  /** Set when `points.length > 1` because of unified scales (not for a shared weight). */
  unifiedScaleGroup?: number;
  /** Ops whose inputs this quantizer feeds (scopes), for bitwidth assignment and reports. */
  quantizedNodes: string[];
  /** Every config the HW and user constraints allow here, best first (input to precision init). */
  allowedConfigs: QuantizerConfig[];
  /** `scope_overrides.<group>.<scope>.initializer`, when one matched. */
  initializerOverride?: unknown;
}

export interface PlacementResult {
  quantizers: QuantizerSpec[];
  /** Patterns that were fused (no quantizer inside), for reports and debugging. */
  fusedPatterns: { pattern: string; nodes: string[] }[];
  /** Scope patterns that matched nothing when validate_scopes was false. */
  unmatchedScopes: string[];
}
