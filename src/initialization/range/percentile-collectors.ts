/**
 * `percentile`: the min/max percentiles of all collected values (per channel).
 * `mean_percentile`: each batch reduced to its own percentiles, then averaged over batches.
 * NNCF takes the smaller requested percentile as min and the larger as max.
 */
import { BatchLimit } from './batch-limit.js';
import { ChannelGuard, batchLayout, forEachRun } from './layout.js';
import { quantiles } from './quantile.js';
import { RawValueCollector, type RawValueOptions } from './raw-value-collector.js';
import type { RangeCollector, RangeStatistic } from './types.js';

export interface PercentileParams {
  /** Percent in [0, 100]; NNCF default 0.1. */
  minPercentile: number;
  /** Percent in [0, 100]; NNCF default 99.9. */
  maxPercentile: number;
}

export const DEFAULT_MIN_PERCENTILE = 0.1;
export const DEFAULT_MAX_PERCENTILE = 99.9;

function ordered(p: PercentileParams): [number, number] {
  return [Math.min(p.minPercentile, p.maxPercentile), Math.max(p.minPercentile, p.maxPercentile)];
}

export class PercentileCollector extends RawValueCollector {
  private readonly pcts: [number, number];

  constructor(o: RawValueOptions & PercentileParams) {
    super(o);
    this.pcts = ordered(o);
  }

  protected channelRange(values: Float32Array): [number, number] {
    const [lo, hi] = quantiles(values, [this.pcts[0] / 100, this.pcts[1] / 100]);
    return [lo, hi];
  }
}

export class MeanPercentileCollector implements RangeCollector {
  private readonly limit: BatchLimit;
  private readonly guard = new ChannelGuard();
  private readonly pcts: [number, number];
  private sumLow: Float64Array | null = null;
  private sumHigh: Float64Array | null = null;
  private readonly channelAxis: number | null;

  constructor(o: { channelAxis: number | null; maxBatches: number | null } & PercentileParams) {
    this.limit = new BatchLimit(o.maxBatches);
    this.pcts = ordered(o);
    this.channelAxis = o.channelAxis;
  }

  get batchesSeen(): number {
    return this.limit.seen;
  }

  get isFull(): boolean {
    return this.limit.full;
  }

  register(data: Float32Array, shape: readonly number[]): void {
    const l = batchLayout(data, shape, this.channelAxis, false);
    this.guard.check(l);
    if (!this.limit.take()) return;
    // Gather each channel's values of this batch (temporary), then reduce to its percentiles.
    const perChannel = Array.from({ length: l.channels }, () => new Float32Array(l.outer * l.inner));
    const fill = new Array<number>(l.channels).fill(0);
    forEachRun(l, (_row, c, start, end) => {
      perChannel[c].set(data.subarray(start, end), fill[c]);
      fill[c] += end - start;
    });
    this.sumLow ??= new Float64Array(l.channels);
    this.sumHigh ??= new Float64Array(l.channels);
    for (let c = 0; c < l.channels; c++) {
      const [lo, hi] = quantiles(perChannel[c], [this.pcts[0] / 100, this.pcts[1] / 100]);
      this.sumLow[c] += lo;
      this.sumHigh[c] += hi;
    }
  }

  statistic(): RangeStatistic {
    void this.guard.count; // throws when nothing was registered
    const n = this.limit.seen;
    return {
      min: Float32Array.from(this.sumLow ?? [], (v) => v / n),
      max: Float32Array.from(this.sumHigh ?? [], (v) => v / n),
    };
  }
}
