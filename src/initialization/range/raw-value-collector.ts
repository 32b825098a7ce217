/**
 * Base for the statistics NNCF computes over all collected raw values (RawReducer + an offline
 * aggregator over every axis but the channel): percentile and threesigma.
 */
import { BatchLimit } from './batch-limit.js';
import { ChannelGuard, batchLayout, forEachRun } from './layout.js';
import type { RangeCollector, RangeStatistic } from './types.js';
import { ChannelValueStore, DEFAULT_MAX_STORED_VALUES } from './value-store.js';

export interface RawValueOptions {
  channelAxis: number | null;
  maxBatches: number | null;
  /** Memory budget in values (default 2^21); beyond it a seeded uniform sample is kept. */
  maxStoredValues?: number;
  seed?: number;
}

export abstract class RawValueCollector implements RangeCollector {
  private readonly limit: BatchLimit;
  private readonly guard = new ChannelGuard();
  private store: ChannelValueStore | null = null;

  constructor(private readonly raw: RawValueOptions) {
    this.limit = new BatchLimit(raw.maxBatches);
  }

  get batchesSeen(): number {
    return this.limit.seen;
  }

  get isFull(): boolean {
    return this.limit.full;
  }

  /** True while no value had to be dropped (the statistic is then exactly NNCF's). */
  get exact(): boolean {
    return this.store?.exact ?? true;
  }

  register(data: Float32Array, shape: readonly number[]): void {
    const l = batchLayout(data, shape, this.raw.channelAxis, false);
    this.guard.check(l);
    if (!this.limit.take()) return;
    const store = (this.store ??= new ChannelValueStore(
      l.channels,
      this.raw.maxStoredValues ?? DEFAULT_MAX_STORED_VALUES,
      this.raw.seed ?? 0,
    ));
    forEachRun(l, (_row, c, start, end) => store.add(c, data, start, end));
  }

  statistic(): RangeStatistic {
    const channels = this.guard.count; // throws when nothing was registered
    const min = new Float32Array(channels);
    const max = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const [lo, hi] = this.channelRange(this.store!.values(c));
      min[c] = lo;
      max[c] = hi;
    }
    return { min, max };
  }

  protected abstract channelRange(values: Float32Array): [number, number];
}
