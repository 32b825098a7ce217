/**
 * Contracts between an algorithm and the data-driven initialization that serves it (wired in
 * src/api.ts): both layers sit above compression/, so the shapes they exchange live here once.
 */

/** One quantizer whose range statistics initialization collects. */
export interface RangeTarget {
  /** Quantizer id, e.g. `conv1|WEIGHT`. */
  id: string;
  group: 'weights' | 'activations';
  /** Node scope matched against per-layer `target_scopes` / `ignored_scopes` (NNCF: the target node). */
  scope: string;
  mode: 'symmetric' | 'asymmetric';
  /** ONNX-layout channel axis of the per-channel statistic; null = per-tensor. */
  channelAxis: number | null;
  /** Activations: the tensors the quantizer sees (several for unified scales; all feed one collector). */
  tensors?: string[];
  /** Weights: the weight in ONNX layout. */
  weight?: { values: Float32Array; dims: number[] };
  /** `scope_overrides.<group>.<scope>.initializer` when one matched: its `range` replaces the global one. */
  initializerOverride?: unknown;
}

/** AutoQ's environment (the quantization algorithm's QuantizationEnv) as the DDPG search drives it. */
export interface AutoQEnvironment {
  readonly steps: number;
  readonly stateSize: number;
  /** Index of prev_action in the state vector. */
  readonly prevActionFeature: number;
  reset(): void;
  observation(i: number): number[];
  step(action: number): { observation: number[]; done: boolean; bits: number };
  finish(): { bits: number[]; unconstrained: number[]; sizeRatio: number };
  /** Reward of a quantized score given the FP32 model's score. */
  reward(score: number, pretrained: number): number;
}
