/**
 * Quantization statistics as NNCF reports them (QuantizationStatistics / MemoryConsumptionStatistics):
 * ratio of enabled quantizations, the share of symmetric/asymmetric, signed/unsigned,
 * per-tensor/per-channel quantizers by group, the bitwidth distribution, and the share of weight
 * parameters that are quantized with the memory they take.
 */
import { Statistics, type StatisticsTable } from '../../compression/index.js';
import type { Graph } from '../../graph/index.js';
import type { QuantizerModule } from './modules.js';
import type { LatencyFallbackSummary } from './latency-fallback/index.js';
import { latencyValues, latencyTable } from './latency-fallback/report.js';

const pct = (n: number, d: number) => (d === 0 ? 0 : (100 * n) / d);
const share = (n: number, d: number) => `${n} / ${d} (${pct(n, d).toFixed(2)} %)`;

function shareTable(mods: QuantizerModule[]): StatisticsTable {
  const w = mods.filter((m) => m.placed.kind === 'weight');
  const a = mods.filter((m) => m.placed.kind === 'activation');
  const rows: [string, (m: QuantizerModule) => boolean][] = [
    ['Symmetric', (m) => m.placed.mode === 'symmetric'],
    ['Asymmetric', (m) => m.placed.mode === 'asymmetric'],
    ['Signed', (m) => m.quantizer.signed],
    ['Unsigned', (m) => !m.quantizer.signed],
    ['Per-tensor', (m) => !m.placed.perChannel],
    ['Per-channel', (m) => m.placed.perChannel],
  ];
  return {
    title: 'Statistics of the quantization share:',
    header: ["Statistic's name", 'Weights', 'Activations', 'Total'],
    rows: rows.map(([name, f]) => [name, share(w.filter(f).length, w.length), share(a.filter(f).length, a.length), share(mods.filter(f).length, mods.length)]),
  };
}

function bitwidthTable(mods: QuantizerModule[]): StatisticsTable {
  const bits = [...new Set(mods.map((m) => m.placed.bits))].sort((x, y) => y - x);
  const w = mods.filter((m) => m.placed.kind === 'weight');
  const a = mods.filter((m) => m.placed.kind === 'activation');
  const n = (list: QuantizerModule[], b: number) => list.filter((m) => m.placed.bits === b).length;
  return {
    title: 'Statistics of the bitwidth distribution:',
    header: ['Num bits (N)', 'N-bits WQs / Placed WQs', 'N-bits AQs / Placed AQs', 'N-bits Qs / Placed Qs'],
    rows: bits.map((b) => [b, share(n(w, b), w.length), share(n(a, b), a.length), share(n(mods, b), mods.length)]),
  };
}

/** Float weights of ops that can carry weight quantizers (Conv/ConvTranspose/Gemm/MatMul/Gather constants). */
function weightElements(graph: Graph): Map<string, number> {
  const out = new Map<string, number>();
  for (const node of graph.nodes) {
    if (!['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Gather'].includes(node.opType)) continue;
    for (const name of node.inputs) {
      const init = graph.initializers.get(name);
      if (init && init.dtype === 'float32' && init.dims.length >= 2) out.set(name, init.dims.reduce((x, y) => x * y, 1));
    }
  }
  return out;
}

/** Placement choices worth stating next to the numbers. */
export interface QuantizationNotes {
  activationsPerTensorForOrt?: boolean;
  /** What the latency check measured and kept float (null/absent: it did not run). */
  latencyFallback?: LatencyFallbackSummary | null;
}

/** The statistics key that says activations were made per-tensor for onnxruntime. */
export const PER_TENSOR_FOR_ORT_KEY = 'Activations per-tensor for ORT QLinearConv';

export function quantizationStatistics(mods: QuantizerModule[], graph: Graph, notes: QuantizationNotes = {}): Statistics {
  const enabled = mods.filter((m) => m.quantizer.enabled).length;
  const elements = weightElements(graph);
  let total = 0;
  for (const v of elements.values()) total += v;
  let quantized = 0;
  let bitsUsed = 0;
  const seen = new Set<string>();
  for (const m of mods) {
    if (m.placed.kind !== 'weight') continue;
    for (const t of m.tensors) {
      if (seen.has(t)) continue;
      seen.add(t);
      const n = elements.get(t) ?? graph.initializers.get(t)?.dims.reduce((x, y) => x * y, 1) ?? 0;
      quantized += n;
      bitsUsed += n * m.placed.bits;
    }
  }
  const fp32Bytes = total * 4;
  const compressedBytes = (bitsUsed + (total - quantized) * 32) / 8;
  const values = {
    'Ratio of enabled quantizations': pct(enabled, mods.length),
    'Weight quantizers': mods.filter((m) => m.placed.kind === 'weight').length,
    'Activation quantizers': mods.filter((m) => m.placed.kind === 'activation').length,
    'Weights quantized, % of weight parameters': pct(quantized, total),
    'Weight memory FP32, MiB': fp32Bytes / 2 ** 20,
    'Weight memory compressed, MiB': compressedBytes / 2 ** 20,
    'Weight memory compression rate': compressedBytes === 0 ? 1 : fp32Bytes / compressedBytes,
    ...(notes.activationsPerTensorForOrt ? { [PER_TENSOR_FOR_ORT_KEY]: true } : {}),
    ...(notes.latencyFallback ? latencyValues(notes.latencyFallback) : {}),
  };
  const tables = [shareTable(mods), bitwidthTable(mods), ...(notes.latencyFallback ? [latencyTable(notes.latencyFallback)] : [])];
  return new Statistics('quantization', values, tables);
}
