/** NNCF aggregators stop after `num_samples` registered inputs (batches); later ones are ignored. */
import { RangeStatisticsError } from './types.js';

export class BatchLimit {
  seen = 0;

  constructor(readonly maxBatches: number | null) {
    if (maxBatches !== null && (!Number.isInteger(maxBatches) || maxBatches < 1)) {
      throw new RangeStatisticsError(`batch limit must be a positive integer, got ${maxBatches}`);
    }
  }

  get full(): boolean {
    return this.maxBatches !== null && this.seen >= this.maxBatches;
  }

  /** Returns false when the batch must be skipped. */
  take(): boolean {
    if (this.full) return false;
    this.seen += 1;
    return true;
  }
}

/** NNCF: batches for range init = ceil(num_init_samples / batch_size). */
export function initBatchCount(numInitSamples: number, batchSize: number): number {
  if (!Number.isFinite(numInitSamples) || numInitSamples < 0) {
    throw new RangeStatisticsError(`num_init_samples must be >= 0, got ${numInitSamples}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeStatisticsError(`batch size must be a positive integer, got ${batchSize}`);
  }
  return Math.ceil(numInitSamples / batchSize);
}
