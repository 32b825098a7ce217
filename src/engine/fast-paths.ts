import type * as tf from '@tensorflow/tfjs-core';

/**
 * Faster implementations supplied by src/engine/kernels (installed by backend.ts); ops fall back to
 * plain tfjs ops when a slot is empty.
 * batchNormTrain: channels-last x, per-channel gamma/beta → normalised y using batch statistics,
 * with a closed-form gradient (tf.customGrad), plus the batch mean and biased variance [C].
 */
export interface FastPaths {
  batchNormTrain?: (x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number) => { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor };
}

export const fastPaths: FastPaths = {};
