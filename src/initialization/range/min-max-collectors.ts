/**
 * min_max, mixed_min_max and mean_min_max: reduce each batch (or each sample) to per-channel
 * min / max, then aggregate online — min/max of the reduced values, or their running mean
 * (NNCF's MeanAggregator weights every reduced row equally, so sum/count is exact).
 */
import { BatchLimit } from './batch-limit.js';
import { ChannelGuard, batchLayout, forEachRun } from './layout.js';
import type { RangeCollector, RangeStatistic } from './types.js';

export interface MinMaxOptions {
  channelAxis: number | null;
  /** Symmetric quantizers: the max branch reduces |x| (AbsMaxReducer). */
  absMax: boolean;
  /** Reduce per sample (keep batch axis 0) instead of per batch. */
  perSample: boolean;
  /** Aggregate the reduced minima by mean instead of min. */
  meanOfMins: boolean;
  /** Aggregate the reduced maxima by mean instead of max. */
  meanOfMaxs: boolean;
  maxBatches: number | null;
}

export class MinMaxCollector implements RangeCollector {
  private readonly limit: BatchLimit;
  private readonly guard = new ChannelGuard();
  private minAgg: Float64Array | null = null;
  private maxAgg: Float64Array | null = null;
  private rowsAggregated = 0;

  constructor(private readonly o: MinMaxOptions) {
    this.limit = new BatchLimit(o.maxBatches);
  }

  get batchesSeen(): number {
    return this.limit.seen;
  }

  get isFull(): boolean {
    return this.limit.full;
  }

  register(data: Float32Array, shape: readonly number[]): void {
    const l = batchLayout(data, shape, this.o.channelAxis, this.o.perSample);
    this.guard.check(l);
    if (!this.limit.take()) return;
    const C = l.channels;
    const mins = new Float64Array(l.rows * C).fill(Infinity);
    const maxs = new Float64Array(l.rows * C).fill(-Infinity);
    forEachRun(l, (row, c, start, end) => {
      const k = row * C + c;
      let mn = mins[k];
      let mx = maxs[k];
      for (let i = start; i < end; i++) {
        const v = data[i];
        if (v < mn) mn = v;
        const m = this.o.absMax ? Math.abs(v) : v;
        if (m > mx) mx = m;
      }
      mins[k] = mn;
      maxs[k] = mx;
    });
    if (this.minAgg === null || this.maxAgg === null) {
      this.minAgg = new Float64Array(C).fill(this.o.meanOfMins ? 0 : Infinity);
      this.maxAgg = new Float64Array(C).fill(this.o.meanOfMaxs ? 0 : -Infinity);
    }
    for (let r = 0; r < l.rows; r++) {
      for (let c = 0; c < C; c++) {
        const mn = mins[r * C + c];
        const mx = maxs[r * C + c];
        this.minAgg[c] = this.o.meanOfMins ? this.minAgg[c] + mn : Math.min(this.minAgg[c], mn);
        this.maxAgg[c] = this.o.meanOfMaxs ? this.maxAgg[c] + mx : Math.max(this.maxAgg[c], mx);
      }
    }
    this.rowsAggregated += l.rows;
  }

  statistic(): RangeStatistic {
    void this.guard.count; // throws when nothing was registered
    const n = this.rowsAggregated;
    const min = Float32Array.from(this.minAgg ?? [], (v) => (this.o.meanOfMins ? v / n : v));
    const max = Float32Array.from(this.maxAgg ?? [], (v) => (this.o.meanOfMaxs ? v / n : v));
    return { min, max };
  }
}
