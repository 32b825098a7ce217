/**
 * BatchNorm adaptation driver (spec/algorithms.md §2.1, config `initializer.batchnorm_adaptation`):
 * after quantizers/masks are inserted and ranges initialised, run ceil(num_bn_adaptation_samples /
 * batch_size) forward passes, without gradients, in which only BatchNorm layers are in training
 * mode (running mean/var updated with their own momentum; Dropout etc. stay in eval mode).
 * The forward pass itself is the engine's business: the caller passes a step that runs one batch
 * in that "BN-train, rest-eval" mode.
 */

import { startProgress } from '../progress.js';
export const DEFAULT_NUM_BN_ADAPTATION_SAMPLES = 2000;

export class BnAdaptationError extends Error {
  override name = 'BnAdaptationError';
}

/** `num_bn_adaptation_samples` from `initializer.batchnorm_adaptation` (absent section → 2000). */
export function parseNumBnAdaptationSamples(section: unknown, where = 'initializer.batchnorm_adaptation'): number {
  if (section === undefined || section === null) return DEFAULT_NUM_BN_ADAPTATION_SAMPLES;
  if (typeof section !== 'object' || Array.isArray(section)) throw new BnAdaptationError(`${where} must be an object`);
  const n = (section as Record<string, unknown>).num_bn_adaptation_samples ?? DEFAULT_NUM_BN_ADAPTATION_SAMPLES;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw new BnAdaptationError(`${where}.num_bn_adaptation_samples must be a number >= 0, got ${JSON.stringify(n)}`);
  }
  return n;
}

export interface BnAdaptationRun<B> {
  numSamples: number;
  batchSize: number;
  /** The data loader, enumerated once: a loader shorter than the step count gives fewer steps (as NNCF). */
  batches: (() => Iterable<B> | AsyncIterable<B>) | null;
  /** Runs one batch forward with BatchNorm in training mode and everything else in eval mode. */
  step: (batch: B) => void | Promise<void>;
}

/** Number of forward passes: ceil(samples / batch size); 0 disables adaptation. */
export function bnAdaptationSteps(numSamples: number, batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new BnAdaptationError(`batch size must be a positive integer, got ${batchSize}`);
  return Math.ceil(numSamples / batchSize);
}

/** Runs the adaptation (one pass over the loader, at most ceil(samples / batch size) steps); returns the steps run. A missing data loader is an error unless disabled. */
export async function runBnAdaptation<B>(r: BnAdaptationRun<B>): Promise<number> {
  const steps = bnAdaptationSteps(r.numSamples, r.batchSize);
  if (steps === 0) return 0;
  if (!r.batches) {
    throw new BnAdaptationError(
      'BatchNorm adaptation needs data (num_bn_adaptation_samples > 0) but no data loader was given; set num_bn_adaptation_samples to 0 to disable it',
    );
  }
  let done = 0;
  const progress = startProgress('BatchNorm adaptation', steps, 'steps');
  try {
    for await (const batch of r.batches()) {
      await r.step(batch);
      progress.tick();
      if (++done === steps) break;
    }
  } finally {
    progress.done();
  }
  if (done === 0) throw new BnAdaptationError('BatchNorm adaptation: the data loader yielded no batches');
  return done;
}
