/**
 * Shared types of the range-initialization statistics (spec/algorithms.md §2). Collectors take
 * plain Float32Array batches with their shape, so the onnxruntime-node path (NCHW, channel axis 1)
 * and the engine path (NHWC, channel axis 3; tfjs weight layouts) feed the same code.
 */

// The six statistics are the config's range-init types; one list serves validation and collectors.
import { RANGE_INIT_TYPES } from '../../config/names.js';

export { RANGE_INIT_TYPES };
export type RangeInitType = (typeof RANGE_INIT_TYPES)[number];

/** Per scale element (one per channel, or one for per-tensor) min and max for apply_minmax_init. */
export interface RangeStatistic {
  min: Float32Array;
  max: Float32Array;
}

export interface RangeCollector {
  /** Adds one batch (or, for weights, the weight tensor). Ignored once `isFull`. */
  register(data: Float32Array, shape: readonly number[]): void;
  /** Batches consumed so far. */
  readonly batchesSeen: number;
  /** True when the batch limit (NNCF's num_samples of the aggregator) is reached. */
  readonly isFull: boolean;
  /** The min/max statistic this collector's type defines. Throws if nothing was registered. */
  statistic(): RangeStatistic;
}

export class RangeStatisticsError extends Error {
  override name = 'RangeStatisticsError';
}
