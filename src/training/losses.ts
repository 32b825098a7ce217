import * as tf from '@tensorflow/tfjs-core';
import type { TaskLoss } from './grad-step.js';

/** Mean softmax cross-entropy of logits [B, C] against integer class ids [B] (torch's CrossEntropyLoss). */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (logits.rank !== 2) throw new Error(`softmax cross-entropy needs logits of shape [batch, classes], got [${logits.shape}]`);
    const oneHot = tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, logits.shape[1]!);
    return tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/** Mean squared error over every element (torch's MSELoss); `targets` has the output's shape. */
export function meanSquaredError(output: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (output.shape.join() !== targets.shape.join()) throw new Error(`MSE needs targets of the output's shape [${output.shape}], got [${targets.shape}]`);
    return tf.mean(tf.squaredDifference(output, tf.cast(targets, 'float32'))) as tf.Scalar;
  });
}

/** Number of rows whose arg-max equals the label. */
export function correctCount(logits: tf.Tensor, labels: tf.Tensor): number {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'int32')).dataSync()[0]);
}

export type TaskLossKind = 'cross_entropy' | 'mse';

/** A task loss whose formula the ORT trainer knows (it compiles it into the training graph). */
export type DeclaredTaskLoss = TaskLoss & { readonly spec: { kind: TaskLossKind; output: string } };

/**
 * The task loss `kind` on model output `output`, usable on either engine: the tfjs engine calls it as
 * a function, the ORT trainer compiles the same formula. A plain function loss trains on tfjs only.
 */
export function taskLoss(kind: TaskLossKind, output: string): DeclaredTaskLoss {
  const fn: TaskLoss = (outputs, labels) => {
    const y = outputs[output];
    if (!y) throw new Error(`the task loss reads output "${output}", which the model does not produce (outputs: ${Object.keys(outputs).join(', ')})`);
    if (!labels) throw new Error(`the ${kind} task loss needs labels`);
    return kind === 'mse' ? meanSquaredError(y, labels) : softmaxCrossEntropy(y, labels);
  };
  return Object.assign(fn, { spec: { kind, output } });
}
