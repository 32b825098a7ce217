import * as tf from '@tensorflow/tfjs-core';
import type { TaskLoss } from './grad-step.js';

/**
 * Mean softmax cross-entropy of logits [B, C] against integer class ids [B] (torch's CrossEntropyLoss),
 * with torch's `label_smoothing` ε: the target is (1 − ε)·onehot + ε/C.
 */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, labelSmoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    if (logits.rank !== 2) throw new Error(`softmax cross-entropy needs logits of shape [batch, classes], got [${logits.shape}]`);
    const classes = logits.shape[1]!;
    let target: tf.Tensor = tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, classes);
    if (labelSmoothing > 0) target = tf.add(tf.mul(target, 1 - labelSmoothing), labelSmoothing / classes);
    return tf.mean(tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/** torch's CrossEntropyLoss accepts label_smoothing in [0, 1]. */
export function checkLabelSmoothing(v: number, where = 'label_smoothing'): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${where} must be a number in [0, 1], got ${JSON.stringify(v)}`);
  return v;
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
export type DeclaredTaskLoss = TaskLoss & { readonly spec: { kind: TaskLossKind; output: string; labelSmoothing?: number } };

/**
 * The task loss `kind` on model output `output`, usable on either engine: the tfjs engine calls it as
 * a function, the ORT trainer compiles the same formula. A plain function loss trains on tfjs only.
 */
export function taskLoss(kind: TaskLossKind, output: string, opts: { labelSmoothing?: number } = {}): DeclaredTaskLoss {
  const labelSmoothing = opts.labelSmoothing === undefined ? 0 : checkLabelSmoothing(opts.labelSmoothing);
  if (labelSmoothing > 0 && kind !== 'cross_entropy') throw new Error(`label smoothing applies to the cross_entropy task loss, not ${kind}`);
  const fn: TaskLoss = (outputs, labels) => {
    const y = outputs[output];
    if (!y) throw new Error(`the task loss reads output "${output}", which the model does not produce (outputs: ${Object.keys(outputs).join(', ')})`);
    if (!labels) throw new Error(`the ${kind} task loss needs labels`);
    return kind === 'mse' ? meanSquaredError(y, labels) : softmaxCrossEntropy(y, labels, labelSmoothing);
  };
  return Object.assign(fn, { spec: labelSmoothing > 0 ? { kind, output, labelSmoothing } : { kind, output } });
}
