/** The latency check in the quantization statistics: totals as values, the float blocks as a table. */
import type { StatisticsTable } from '../../../compression/index.js';
import type { LatencyFallbackSummary } from './index.js';

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');

export function latencyValues(s: LatencyFallbackSummary): Record<string, number | string> {
  return {
    'Latency check: FP32 ms (min)': s.fp32Ms,
    'Latency check: all quantized ms (min)': s.allQuantizedMs,
    'Latency check: exported ms (min)': s.finalMs,
    'Latency check: blocks kept float': `${s.floatBlocks.length} / ${s.blocks.length}${s.allFloat ? ' (all: the quantized mix was not faster than FP32)' : ''}`,
  };
}

export function latencyTable(s: LatencyFallbackSummary): StatisticsTable {
  return {
    title: `Blocks kept float by the latency check (ORT, min of interleaved runs, margin ${(s.margin * 100).toFixed(0)} %):`,
    header: ['Block', 'Quantizers', 'Model ms with block quantized', 'Model ms with block float'],
    rows: s.floatBlocks.map((b) => [b.name, s.blocks[b.block].quantizers, ms(b.quantizedMs), ms(b.floatMs)]),
  };
}
