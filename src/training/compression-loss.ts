/**
 * The controllers' loss() terms next to an ORT step. They depend only on compression variables (and
 * weights), not on the batch, so their gradients are computed here with tfjs and added to the ORT
 * gradients: exact, because the trained loss is the sum task + Σ controller terms and the gradient of
 * a sum is the sum of the gradients. (Knowledge distillation, the one data-dependent term, is compiled
 * into the training graph instead.)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressionController } from '../compression/index.js';

export function compressionLossGradients(
  controllers: readonly CompressionController[],
  variables: readonly tf.Variable[],
): { value: number; grads: (tf.Tensor | undefined)[] } {
  if (controllers.length === 0) return { value: 0, grads: [] };
  const trainable = variables.filter((v) => v.trainable);
  // allowNoGradients: a term without variables (e.g. quantization's constant 0) has no gradient path.
  const { value, grads } = tf.engine().gradients(
    () => controllers.reduce<tf.Scalar>((acc, c) => tf.add(acc, c.loss()), tf.scalar(0)),
    trainable,
    undefined,
    true,
  );
  const v = value.dataSync()[0];
  value.dispose();
  const byVar = new Map(trainable.map((t, i) => [t, grads[i] ?? undefined]));
  return { value: v, grads: variables.map((t) => byVar.get(t)) };
}
