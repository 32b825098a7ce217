/** Runs a single-input model over many samples in batches and concatenates the outputs. */
import { concatRows, gatherRows, type NdArray } from '../data/ndarray.js';
import { RuntimeError } from './errors.js';
import type { OrtSession } from './session.js';

export interface RunBatchedOptions {
  batchSize?: number;
  /** Outputs to collect (default: the first model output). */
  outputs?: string[];
  /** Called after each batch with its outputs — e.g. to update statistics without keeping them. */
  onBatch?: (outputs: Record<string, NdArray>, start: number) => void | Promise<void>;
  /** Do not keep outputs (use with onBatch); the result is then empty. */
  discard?: boolean;
}

export async function runBatched(session: OrtSession, x: NdArray, options: RunBatchedOptions = {}): Promise<Record<string, NdArray>> {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RuntimeError(`batch size must be a positive integer, got ${batchSize}`);
  const names = options.outputs ?? [session.outputNames[0]];
  const parts: Record<string, NdArray[]> = Object.fromEntries(names.map((n) => [n, []]));
  const n = x.shape[0];
  for (let start = 0; start < n; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const out = await session.run(gatherRows(x, idx), names);
    if (options.onBatch) await options.onBatch(out, start);
    if (!options.discard) for (const k of names) parts[k].push(out[k]);
  }
  if (options.discard) return {};
  return Object.fromEntries(names.map((k) => [k, concatRows(parts[k])]));
}

/** Index of the largest value along the last axis of an N×C float array. */
export function argmaxRows(arr: NdArray): Int32Array {
  const c = arr.shape[arr.shape.length - 1];
  const rows = arr.data.length / c;
  const out = new Int32Array(rows);
  const d = arr.data as ArrayLike<number>;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (d[r * c + j] > d[r * c + best]) best = j;
    out[r] = best;
  }
  return out;
}

/**
 * Top-1 accuracy of a single-input classifier on `x` against integer `labels`, in batches; the argmax of
 * the first output (or `output`) is the prediction. Returns the accuracy and the predictions.
 */
export async function top1Accuracy(
  session: OrtSession,
  x: NdArray,
  labels: ArrayLike<number>,
  options: { batchSize?: number; output?: string } = {},
): Promise<{ accuracy: number; predictions: Int32Array }> {
  if (labels.length !== x.shape[0]) throw new RuntimeError(`${x.shape[0]} samples but ${labels.length} labels`);
  const name = options.output ?? session.outputNames[0];
  const predictions = new Int32Array(x.shape[0]);
  await runBatched(session, x, {
    batchSize: options.batchSize,
    outputs: [name],
    discard: true,
    onBatch: (out, start) => predictions.set(argmaxRows(out[name]), start),
  });
  let correct = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) correct++;
  return { accuracy: predictions.length ? correct / predictions.length : 0, predictions };
}
