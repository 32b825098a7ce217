/**
 * Per-channel store of raw values for the statistics that need all of them (percentile,
 * threesigma). NNCF keeps every collected value; we keep them exactly too while they fit in
 * `capacity` values per channel, and beyond that keep a uniform random sample of that size
 * (reservoir sampling, Algorithm L, seeded so runs are reproducible). Memory is thus bounded by
 * `capacity × channels` floats whatever the number of samples.
 */
import { Random } from '../../data/index.js';

/** Default budget per collector: 2^21 floats (8 MB), split across channels. */
export const DEFAULT_MAX_STORED_VALUES = 1 << 21;

class Reservoir {
  values: Float32Array;
  size = 0;
  /** Values offered so far. */
  seen = 0;
  private w = 1;
  private next = Infinity;

  constructor(
    private readonly capacity: number,
    private readonly rand: () => number,
  ) {
    this.values = new Float32Array(Math.min(capacity, 1024));
  }

  private skip(): void {
    // Algorithm L (Li 1994): jump straight to the next value that enters the reservoir.
    this.w *= Math.exp(Math.log(this.rand() || Number.MIN_VALUE) / this.capacity);
    this.next = this.seen + Math.floor(Math.log(this.rand() || Number.MIN_VALUE) / Math.log(1 - this.w)) + 1;
  }

  add(data: Float32Array, start: number, end: number): void {
    let i = start;
    if (this.size < this.capacity) {
      const take = Math.min(end - start, this.capacity - this.size);
      if (this.size + take > this.values.length) {
        const grown = new Float32Array(Math.min(this.capacity, Math.max(this.values.length * 2, this.size + take)));
        grown.set(this.values.subarray(0, this.size));
        this.values = grown;
      }
      this.values.set(data.subarray(i, i + take), this.size);
      this.size += take;
      this.seen += take;
      i += take;
      if (this.size === this.capacity && i <= end) this.skip();
    }
    while (i < end) {
      // `next` is the 1-based ordinal of the next value to keep.
      const jump = Math.min(end - i, Math.max(0, this.next - this.seen - 1));
      i += jump;
      this.seen += jump;
      if (i >= end) break;
      this.seen += 1;
      this.values[Math.floor(this.rand() * this.capacity)] = data[i];
      i += 1;
      this.skip();
    }
  }

  /** The kept values (a view; exact copy of all values while `seen <= capacity`). */
  kept(): Float32Array {
    return this.values.subarray(0, this.size);
  }
}

export class ChannelValueStore {
  private readonly reservoirs: Reservoir[];

  constructor(channels: number, maxStoredValues = DEFAULT_MAX_STORED_VALUES, seed = 0) {
    const perChannel = Math.max(1, Math.floor(maxStoredValues / channels));
    const rng = new Random(seed);
    const rand = () => rng.float();
    this.reservoirs = Array.from({ length: channels }, () => new Reservoir(perChannel, rand));
  }

  add(channel: number, data: Float32Array, start: number, end: number): void {
    this.reservoirs[channel].add(data, start, end);
  }

  values(channel: number): Float32Array {
    return this.reservoirs[channel].kept();
  }

  /** True while every value offered is still held (results equal NNCF's exactly). */
  get exact(): boolean {
    return this.reservoirs.every((r) => r.seen === r.size);
  }

  get channels(): number {
    return this.reservoirs.length;
  }
}
