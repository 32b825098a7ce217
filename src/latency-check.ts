/**
 * The latency check of a compressed model (issue 11 item 4) through the public API: exports the
 * model, times it on onnxruntime-node against the all-float export (= FP32) and keeps float the
 * blocks that are slower quantized; the controller's statistics then list them. Call it before
 * exporting. Only meaningful for the QDQ export (ORT cannot run FakeQuantize nodes).
 */
import { applyLatencyFallback, findQuantizationController, type LatencyFallbackSummary } from './algorithms/quantization/index.js';
import type { CreateResult } from './compression/index.js';
import type { NdArray } from './data/index.js';
import { exportCompressedModelBytes } from './api.js';
import { interleavedLatencies } from './runtime/index.js';

export interface LatencyCheckOptions {
  /** One input batch the model is timed on (e.g. the first calibration batch). */
  feeds: Record<string, NdArray> | NdArray;
  /** Timed interleaved rounds per comparison (default 15) and intra-op threads (default 1). */
  runs?: number;
  threads?: number;
  /** Relative gain a change must show (default 0.03) and the most blocks tried (default 12). */
  margin?: number;
  maxBlocks?: number;
  /** Replaces ORT timing (tests): the latency of each model, in ms. */
  timeModels?: (models: readonly Uint8Array[]) => Promise<number[]>;
}

export async function latencyCheck(result: Pick<CreateResult, 'model' | 'controller'>, opts: LatencyCheckOptions): Promise<LatencyFallbackSummary | null> {
  const q = findQuantizationController(result.controller);
  if (!q || !q.modules.some((m) => m.quantizer.enabled)) return null;
  const timeModels =
    opts.timeModels ?? (async (models: readonly Uint8Array[]) => (await interleavedLatencies(models, opts.feeds, { runs: opts.runs ?? 15, threads: opts.threads ?? 1 })).map((r) => r.min));
  const summary = await applyLatencyFallback(result.model.graph, q.modules, {
    exportBytes: () => exportCompressedModelBytes(result),
    timeModels,
    margin: opts.margin,
    maxBlocks: opts.maxBlocks,
  });
  q.latencyFallback = summary;
  return summary;
}
