/**
 * JSON form of a quantizer for compression-state checkpoints. Parameters are always stored as
 * real values (scale / input_range, never their logarithms), like NNCF's state-dict hooks, so
 * checkpoints with and without `logarithm_scale` are interchangeable.
 */
import type { QuantizerSpec } from './quantizer-spec.js';

export interface QuantizerParamsState {
  scale?: number[];
  input_low?: number[];
  input_range?: number[];
}

export interface QuantizerState {
  spec: QuantizerSpec;
  signed: boolean;
  enabled: boolean;
  params: QuantizerParamsState;
}

export function isQuantizerState(v: unknown): v is QuantizerState {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.spec === 'object' &&
    o.spec !== null &&
    typeof o.signed === 'boolean' &&
    typeof o.enabled === 'boolean' &&
    typeof o.params === 'object' &&
    o.params !== null
  );
}
