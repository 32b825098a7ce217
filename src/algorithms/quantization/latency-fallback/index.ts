/**
 * Latency-aware fallback (issue 11 item 4): time the QDQ export on the user's runtime against FP32
 * and keep float the blocks that are slower quantized — their activation quantizers are disabled (no
 * Q/DQ: the block computes in float), their weights stay 8-bit in the file (see goesOff). Exporting and
 * timing are given by the caller (algorithms know nothing of the CLI or of ORT sessions).
 */
import type { Graph } from '../../../graph/index.js';
import { decodeModelProto } from '../../../graph/onnx-proto/index.js';
import type { QuantizerModule } from '../modules.js';
import { decideFloatBlocks, decideFloatBlocksByPiece, type LatencyDecision, type PieceTiming } from './decide.js';
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
  /**
   * Judge each block on its own piece (decideFloatBlocksByPiece): times the piece of `quantized` and of
   * `float` between `inputs` and `outputs`, one PieceTiming per setting. Without it every block is judged by timing whole models (decideFloatBlocks).
   */
  timeBlockPiece?: (piece: BlockPiece) => Promise<PieceTiming[]>;
}

export interface BlockPiece {
  block: number;
  inputs: string[];
  outputs: string[];
  /**
   * The whole model exported with every block quantized, and with only this block float (its neighbours
   * quantized, so the float piece pays the Q/DQ at its edges as it would in the mix), and FP32 (every block
   * float: what the pieces are fed).
   */
  quantized: Uint8Array;
  float: Uint8Array;
  fp32: Uint8Array;
  /** The inputs of every block (so a timer can compute the activations they are fed in one run). */
  cutTensors: string[];
}

export interface LatencyFallbackSummary {
  blocks: { name: string; quantizers: number; weightedNodes: string[] }[];
  /** What the block times below are: each block's own piece ('block') or the whole model ('model'). */
  judgedOn: 'block' | 'model';
  /** Blocks kept float, with the measured latency before (quantized) and after (float): of the block's piece or of the whole model (judgedOn). */
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
  // pieces are cut at tensors both exports (every quantizer on / off) still have
  const ends = opts.timeBlockPiece ? { on: opts.exportBytes(), off: withAllOff(active, opts.exportBytes) } : null;
  const blocks = latencyBlocks(graph, active, opts.maxBlocks ?? 12, ends ? tensorsOfBoth(ends.on, ends.off) : undefined);
  const cache = new Map<string, Uint8Array>();
  if (ends) cache.set('', ends.on).set(blocks.map((_, b) => b).join(','), ends.off); // every module is in a block
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
  const measure = (configs: readonly (readonly number[])[]) => opts.timeModels(configs.map(bytesFor));
  const all = blocks.map((_, b) => b);
  const byPiece = opts.timeBlockPiece;
  const cutTensors = [...new Set(blocks.flatMap((b) => b.inputs))];
  const decision = byPiece
    ? await decideFloatBlocksByPiece(blocks.length, (b) => byPiece({ block: b, inputs: blocks[b].inputs, outputs: blocks[b].outputs, quantized: bytesFor([]), float: bytesFor([b]), fp32: bytesFor(all), cutTensors }), measure, margin, { clearBand: opts.clearBand, untimed: new Set(blocks.flatMap((x, b) => (x.weightedNodes.length ? [] : [b]))) })
    : await decideFloatBlocks(blocks.length, measure, margin, { clearBand: opts.clearBand });
  setFloat(active, blocks, decision.floatBlocks);
  return summarize(blocks, active, decision, margin, byPiece ? 'block' : 'model');
}

/**
 * A float block keeps its weight quantizers: the exporter writes a weight whose op reads a float input as
 * integers expanded by Cast·Mul, which ORT folds at load (exporters/onnx/quantized/weight-only.ts), so the
 * block runs at float speed and still ships 8-bit weights. Only its activation quantizers go off.
 */
const goesOff = (m: QuantizerModule) => m.placed.kind === 'activation';

function withAllOff(active: readonly QuantizerModule[], exportBytes: () => Uint8Array): Uint8Array {
  active.forEach((m) => (m.quantizer.enabled = !goesOff(m)));
  try {
    return exportBytes();
  } finally {
    active.forEach((m) => (m.quantizer.enabled = true));
  }
}

/** A predicate: the tensor is a graph input or a node output in both models. */
function tensorsOfBoth(a: Uint8Array, b: Uint8Array): (tensor: string) => boolean {
  const names = (bytes: Uint8Array) => {
    const g = decodeModelProto(bytes).graph;
    return new Set([...(g?.input ?? []).map((i) => i.name), ...(g?.node ?? []).flatMap((n) => n.output ?? [])]);
  };
  const [x, y] = [names(a), names(b)];
  return (t) => x.has(t) && y.has(t);
}

function setFloat(active: readonly QuantizerModule[], blocks: readonly LatencyBlock[], floatBlocks: readonly number[]): void {
  const off = new Set(floatBlocks.flatMap((b) => blocks[b].modules));
  active.forEach((m, k) => (m.quantizer.enabled = !off.has(k) || !goesOff(m)));
}

function summarize(blocks: LatencyBlock[], active: readonly QuantizerModule[], d: LatencyDecision, margin: number, judgedOn: 'block' | 'model'): LatencyFallbackSummary {
  const byBlock = new Map(d.steps.map((s) => [s.block, s]));
  return {
    judgedOn,
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
