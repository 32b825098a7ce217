/** The latency check in the quantization statistics: totals as values, the float blocks as a table. */
import type { StatisticsTable } from '../../../compression/index.js';
import type { LatencyFallbackSummary } from './index.js';

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const value = (x: number): number | string => (Number.isFinite(x) ? x : '—');

export function latencyValues(s: LatencyFallbackSummary): Record<string, number | string> {
  return {
    // not measured (—): FP32 when every block went float piece by piece; all-quantized when some block did
    'Latency check: FP32 ms (min)': value(s.fp32Ms),
    'Latency check: all quantized ms (min)': value(s.allQuantizedMs),
    'Latency check: exported ms (min)': value(s.finalMs),
    'Latency check: blocks kept float': `${s.floatBlocks.length} / ${s.blocks.length}${s.allFloat ? ' (all: the quantized mix was not faster than FP32)' : ''}${s.floatBlocks.length ? '; float blocks compute in float with their weights stored 8-bit' : ''}`,
  };
}

export function latencyTable(s: LatencyFallbackSummary): StatisticsTable {
  return {
    title: `Blocks kept float by the latency check (ORT, min of interleaved runs, margin ${(s.margin * 100).toFixed(0)} %${s.judgedOn === 'block' ? ', each block timed on its own piece of the model' : ''}):`,
    header: s.judgedOn === 'block' ? ['Block', 'Quantizers', 'Block ms quantized', 'Block ms float'] : ['Block', 'Quantizers', 'Model ms with block quantized', 'Model ms with block float'],
    rows: s.floatBlocks.map((b) => [b.name, s.blocks[b.block].quantizers, ms(b.quantizedMs), ms(b.floatMs)]),
  };
}
