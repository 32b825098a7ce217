import type * as tf from '@tensorflow/tfjs-core';

/**
 * Optional faster implementations supplied by src/engine/kernels (loaded by initBackend).
 * batchNormTrain: channels-last x, per-channel gamma/beta → normalised y using batch statistics,
 * with a closed-form gradient (tf.customGrad).
 */
export interface FastPaths {
  batchNormTrain?: (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number) => tf.Tensor;
}

export const fastPaths: FastPaths = {};
