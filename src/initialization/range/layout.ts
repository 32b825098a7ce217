/**
 * How a flat batch splits into (sample, channel) groups: data = [outer][channels][inner] in
 * row-major order, with the batch (sample) index being the leading part of `outer`.
 */
import { RangeStatisticsError } from './types.js';

export interface BatchLayout {
  outer: number;
  channels: number;
  inner: number;
  /** Number of rows of the reduced statistic: batch size when per-sample, else 1. */
  rows: number;
  /** Consecutive `outer` indices that belong to one sample. */
  outerPerRow: number;
}

/**
 * @param channelAxis per-channel axis in `shape`, or null for per-tensor reduction
 * @param perSample keep the batch axis 0 (NNCF per-sample statistics for activations)
 */
export function batchLayout(
  data: Float32Array,
  shape: readonly number[],
  channelAxis: number | null,
  perSample: boolean,
): BatchLayout {
  const size = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeStatisticsError(`shape [${shape}] must hold non-negative integers`);
  }
  if (size !== data.length) {
    throw new RangeStatisticsError(`shape [${shape}] has ${size} elements but the data holds ${data.length}`);
  }
  if (size === 0) throw new RangeStatisticsError(`empty batch (shape [${shape}])`);
  if (perSample && shape.length === 0) throw new RangeStatisticsError('per-sample statistics need a batch axis');
  if (channelAxis === null) {
    const batch = perSample ? shape[0] : 1;
    return { outer: batch, channels: 1, inner: size / batch, rows: batch, outerPerRow: 1 };
  }
  const axis = channelAxis < 0 ? channelAxis + shape.length : channelAxis;
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new RangeStatisticsError(`channel axis ${channelAxis} is out of range for shape [${shape}]`);
  }
  if (perSample && axis === 0) throw new RangeStatisticsError('per-sample statistics need a channel axis other than 0');
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const channels = shape[axis];
  const inner = size / (outer * channels);
  const rows = perSample ? shape[0] : 1;
  return { outer, channels, inner, rows, outerPerRow: outer / rows };
}

/** Calls fn(row, channel, start, end) for every contiguous run of values of one (row, channel). */
export function forEachRun(l: BatchLayout, fn: (row: number, channel: number, start: number, end: number) => void): void {
  for (let o = 0; o < l.outer; o++) {
    const row = Math.floor(o / l.outerPerRow);
    for (let c = 0; c < l.channels; c++) {
      const start = (o * l.channels + c) * l.inner;
      fn(row, c, start, start + l.inner);
    }
  }
}

/** Remembers the channel count of the first batch and rejects batches that change it. */
export class ChannelGuard {
  private channels: number | null = null;

  check(l: BatchLayout): void {
    if (this.channels === null) this.channels = l.channels;
    else if (this.channels !== l.channels) {
      throw new RangeStatisticsError(`batch has ${l.channels} channels, earlier batches had ${this.channels}`);
    }
  }

  get count(): number {
    if (this.channels === null) throw new RangeStatisticsError('Statistics are not collected: no batch was registered');
    return this.channels;
  }
}
