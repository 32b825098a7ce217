/**
 * What the quantization algorithm needs from initialization (range statistics, BatchNorm adaptation, Hessian traces for HAWQ, AutoQ's evaluated search).
 * Algorithms do not import src/initialization (arrows point one way): src/api.ts connects an
 * implementation here, and this file only states the shapes it needs.
 */
import type { NNCFConfig } from '../../config/index.js';
import type { AutoQEnvironment, CompressedModel, RangeTarget } from '../../compression/index.js';


export interface RangeStatisticInfo {
  min: Float32Array;
  max: Float32Array;
}

/** HAWQ's Hutchinson parameters (config `initializer.precision`). */
export interface HessianTraceParams {
  numDataPoints: number;
  iterNumber: number;
  tolerance: number;
  /** Seed of the Rademacher vectors. */
  seed?: number;
}

/** The mode the model ran in while the traces were estimated (see QuantizationPrecisionInitArgs.traceMode). */
export type HessianTraceMode = 'train' | 'eval';

export interface HessianTraceResult {
  /** Average Hessian trace per weight tensor name. */
  traces: Map<string, number>;
  iterations: number;
  mode: HessianTraceMode;
}


/** AutoQ's search parameters (config `initializer.precision`). */
export interface AutoQSearchParams {
  iterNumber: number;
  warmupIterNumber: number;
  evalSubsetRatio: number;
  /** Seed of the agent (weights, exploration, replay sampling); NNCF's DDPG default is 528. */
  seed: number;
}

export interface AutoQSearchResult {
  /** Best strategy: bits per quantizer in the environment's order. */
  bits: number[];
  bestReward: number;
  bestEpisode: number;
  pretrainedScore: number;
  episodes: { episode: number; reward: number; score: number; sizeRatio: number; bits: number[]; ms: number }[];
}

/**
 * Puts quantizers at `bits` (one per environment step) into the model, range-initialised and BN-adapted,
 * ready for evaluation; resolves to the function that takes them out again (weights restored).
 */
export type AutoQApplyBits = (bits: number[]) => Promise<() => void>;

export interface QuantizationInitServices {
  /**
   * Statistics per target id; targets absent from the map keep their initial ranges (0 samples).
   * `trained`: the model's weights may differ from the graph's initializers (a range init during
   * training), so statistics must come from the engine's current weights, not from the ONNX graph.
   */
  collectRanges(
    model: CompressedModel,
    config: NNCFConfig,
    rangeSection: unknown,
    targets: RangeTarget[],
    opts?: { trained?: boolean },
  ): Promise<{ stats: Map<string, RangeStatisticInfo>; backend: string | null }>;
  /** Train-mode forwards re-estimating BN running statistics; returns the passes run. */
  adaptBatchNorm(model: CompressedModel, config: NNCFConfig, numSamples: number): Promise<number>;
  /** True when the config carries a range-init data loader. */
  hasRangeInitData(config: NNCFConfig): boolean;
  /**
   * HAWQ: average Hessian traces of the named weights on the FP32 model (no quantizers yet), with the
   * data and criterion of QuantizationPrecisionInitArgs; throws naming that struct when it is missing.
   */
  hessianTraces?(model: CompressedModel, config: NNCFConfig, weightTensorNames: string[], params: HessianTraceParams): Promise<HessianTraceResult>;
  /**
   * AutoQ: the DDPG search over `env`, each candidate put in place by `applyBits` and scored with the
   * evalFn of AutoQPrecisionInitArgs on eval_subset_ratio of its loader; throws naming that struct when it is missing.
   */
  autoqSearch?(model: CompressedModel, config: NNCFConfig, env: AutoQEnvironment, params: AutoQSearchParams, applyBits: AutoQApplyBits): Promise<AutoQSearchResult>;
}

let services: QuantizationInitServices | null = null;

export function setQuantizationInitServices(s: QuantizationInitServices | null): void {
  services = s;
}

export function quantizationInitServices(): QuantizationInitServices {
  if (!services)
    throw new Error('quantization initialization is not connected: import createCompressedModel from src/api.ts (it wires range init and BN adaptation)');
  return services;
}
