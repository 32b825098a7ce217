/**
 * Latency-aware fallback (issue 11 item 4): time the QDQ export on the user's runtime against FP32
 * and keep float the blocks that are slower quantized — their quantizers are disabled, which the
 * export writes as the identity (no Q/DQ, float weights, BN left for ORT to fuse). Exporting and
 * timing are given by the caller (algorithms know nothing of the CLI or of ORT sessions).
 */
import type { Graph } from '../../../graph/index.js';
import type { QuantizerModule } from '../modules.js';
import { decideFloatBlocks, type LatencyDecision } from './decide.js';
import { latencyBlocks, type LatencyBlock } from './stages.js';

export * from './decide.js';
export * from './stages.js';

export interface LatencyFallbackOptions {
  /** The compressed model as it would be exported now (reads each quantizer's `enabled`). */
  exportBytes: () => Uint8Array;
  /** Times the given .onnx models side by side (interleaved); one latency (ms, min of runs) each, or one row of them per deploy setting. */
  timeModels: (models: readonly Uint8Array[]) => Promise<number[] | number[][]>;
  /** Relative gain a change must show to count (default 0.03). */
  margin?: number;
  /** At most this many blocks are tried (default 12). */
  maxBlocks?: number;
  /** See DecideOptions.clearBand (default: always confirm a float block by a second run). */
  clearBand?: number;
}

export interface LatencyFallbackSummary {
  blocks: { name: string; quantizers: number; weightedNodes: string[] }[];
  /** Blocks kept float, with the measured latency of the model before (quantized) and after (float). */
  floatBlocks: { block: number; name: string; quantizedMs: number; floatMs: number }[];
  /** FP32 (every block float), timed with the exported mix. */
  fp32Ms: number;
  /** Every block quantized (first comparison). */
  allQuantizedMs: number;
  /** The exported mix (= fp32Ms when every block is float). */
  finalMs: number;
  allFloat: boolean;
  margin: number;
  /** The quantized mix vs FP32 at each deploy setting timed (first = the ms above); empty when every block went float in the greedy pass. */
  mixBySetting: { mixMs: number; fp32Ms: number }[];
  disabledQuantizers: string[];
}

export async function applyLatencyFallback(graph: Graph, modules: readonly QuantizerModule[], opts: LatencyFallbackOptions): Promise<LatencyFallbackSummary> {
  const margin = opts.margin ?? 0.03;
  const active = modules.filter((m) => m.quantizer.enabled);
  const blocks = latencyBlocks(graph, active, opts.maxBlocks ?? 12);
  const cache = new Map<string, Uint8Array>();
  const bytesFor = (floatBlocks: readonly number[]) => {
    const key = [...floatBlocks].sort((a, b) => a - b).join(',');
    let bytes = cache.get(key);
    if (!bytes) {
      setFloat(active, blocks, floatBlocks);
      try {
        bytes = opts.exportBytes();
      } finally {
        setFloat(active, blocks, []);
      }
      cache.set(key, bytes);
    }
    return bytes;
  };
  const decision = await decideFloatBlocks(blocks.length, (configs) => opts.timeModels(configs.map(bytesFor)), margin, { clearBand: opts.clearBand });
  setFloat(active, blocks, decision.floatBlocks);
  return summarize(blocks, active, decision, margin);
}

function setFloat(active: readonly QuantizerModule[], blocks: readonly LatencyBlock[], floatBlocks: readonly number[]): void {
  const off = new Set(floatBlocks.flatMap((b) => blocks[b].modules));
  active.forEach((m, k) => (m.quantizer.enabled = !off.has(k)));
}

function summarize(blocks: LatencyBlock[], active: readonly QuantizerModule[], d: LatencyDecision, margin: number): LatencyFallbackSummary {
  const byBlock = new Map(d.steps.map((s) => [s.block, s]));
  return {
    blocks: blocks.map((b) => ({ name: b.name, quantizers: b.modules.length, weightedNodes: b.weightedNodes })),
    floatBlocks: d.floatBlocks.map((b) => ({ block: b, name: blocks[b].name, quantizedMs: byBlock.get(b)?.quantizedMs ?? NaN, floatMs: byBlock.get(b)?.floatMs ?? NaN })),
    fp32Ms: d.mixFp32Ms, // timed in the same run as the exported mix
    allQuantizedMs: d.allQuantizedMs,
    finalMs: d.allFloat ? d.mixFp32Ms : d.mixMs,
    allFloat: d.allFloat,
    margin,
    mixBySetting: d.mixBySetting,
    disabledQuantizers: active.filter((m) => !m.quantizer.enabled).map((m) => m.placed.id),
  };
}
