/**
 * What the quantization algorithm needs from initialization (range statistics, BatchNorm adaptation).
 * Algorithms do not import src/initialization (arrows point one way): src/api.ts connects an
 * implementation here, and this file only states the shapes it needs.
 */
import type { NNCFConfig } from '../../config/index.js';
import type { CompressedModel } from '../../compression/index.js';

export interface RangeTargetInfo {
  id: string;
  group: 'weights' | 'activations';
  scope: string;
  mode: 'symmetric' | 'asymmetric';
  channelAxis: number | null;
  tensors?: string[];
  weight?: { values: Float32Array; dims: number[] };
  initializerOverride?: unknown;
}

export interface RangeStatisticInfo {
  min: Float32Array;
  max: Float32Array;
}

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
    targets: RangeTargetInfo[],
    opts?: { trained?: boolean },
  ): Promise<{ stats: Map<string, RangeStatisticInfo>; backend: string | null }>;
  /** Train-mode forwards re-estimating BN running statistics; returns the passes run. */
  adaptBatchNorm(model: CompressedModel, config: NNCFConfig, numSamples: number): Promise<number>;
  /** True when the config carries a range-init data loader. */
  hasRangeInitData(config: NNCFConfig): boolean;
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
