/**
 * Picks and configures the collector for one quantizer, following NNCF's
 * StatCollectorGenerator + RangeInitCollectorParams (spec/algorithms.md §2).
 */
import { MedianMadCollector } from './median-mad-collector.js';
import { MinMaxCollector } from './min-max-collectors.js';
import {
  DEFAULT_MAX_PERCENTILE,
  DEFAULT_MIN_PERCENTILE,
  MeanPercentileCollector,
  PercentileCollector,
} from './percentile-collectors.js';
import { checkPercentile } from './quantile.js';
import { RANGE_INIT_TYPES, RangeStatisticsError, type RangeCollector, type RangeInitType } from './types.js';

export interface RangeCollectorOptions {
  type: RangeInitType;
  /** Weights are reduced batch-wise (one "sample" = the whole weight tensor). */
  isWeights: boolean;
  mode: 'symmetric' | 'asymmetric';
  /** Channel axis in the layout of the data that will be registered; null = per-tensor. */
  channelAxis: number | null;
  /** `params` of the range config: min_percentile / max_percentile (percent). */
  params?: { min_percentile?: unknown; max_percentile?: unknown; [k: string]: unknown };
  /** Batches to consume (ceil(num_init_samples / batch_size)); null = unlimited. Weights: 1. */
  maxBatches?: number | null;
  /** Memory budget for percentile / threesigma (values per collector). */
  maxStoredValues?: number;
  seed?: number;
}

/** NNCF RangeInitCollectorParams flags. */
export function collectorFlags(o: Pick<RangeCollectorOptions, 'isWeights' | 'mode' | 'channelAxis'>) {
  const perChannel = o.channelAxis !== null;
  return {
    absMax: o.mode === 'symmetric',
    meanOfMins: !o.isWeights && !perChannel && o.mode === 'asymmetric',
    meanOfMaxs: !o.isWeights && !perChannel,
  };
}

export function createRangeCollector(o: RangeCollectorOptions): RangeCollector {
  if (!RANGE_INIT_TYPES.includes(o.type)) {
    throw new RangeStatisticsError(`unknown range init type ${JSON.stringify(o.type)}; expected one of ${RANGE_INIT_TYPES.join(', ')}`);
  }
  const maxBatches = o.isWeights ? 1 : (o.maxBatches ?? null);
  const { channelAxis } = o;
  const flags = collectorFlags(o);
  switch (o.type) {
    case 'min_max':
      return new MinMaxCollector({ channelAxis, absMax: flags.absMax, perSample: false, meanOfMins: false, meanOfMaxs: false, maxBatches });
    case 'mixed_min_max':
      // Per-sample reduction for activations only (weights are always batch-wise).
      return new MinMaxCollector({ channelAxis, ...flags, perSample: !o.isWeights, maxBatches });
    case 'mean_min_max':
      return new MinMaxCollector({ channelAxis, absMax: flags.absMax, perSample: false, meanOfMins: true, meanOfMaxs: true, maxBatches });
    case 'threesigma':
      return new MedianMadCollector({ channelAxis, maxBatches, maxStoredValues: o.maxStoredValues, seed: o.seed });
    case 'percentile':
    case 'mean_percentile': {
      const minPercentile = checkPercentile(o.params?.min_percentile ?? DEFAULT_MIN_PERCENTILE, 'min_percentile');
      const maxPercentile = checkPercentile(o.params?.max_percentile ?? DEFAULT_MAX_PERCENTILE, 'max_percentile');
      if (o.type === 'mean_percentile') return new MeanPercentileCollector({ channelAxis, maxBatches, minPercentile, maxPercentile });
      return new PercentileCollector({ channelAxis, maxBatches, minPercentile, maxPercentile, maxStoredValues: o.maxStoredValues, seed: o.seed });
    }
  }
}

/** One-shot statistic of a weight tensor. */
export function weightRangeStatistic(o: Omit<RangeCollectorOptions, 'isWeights'>, data: Float32Array, shape: readonly number[]) {
  const c = createRangeCollector({ ...o, isWeights: true });
  c.register(data, shape);
  return c.statistic();
}
