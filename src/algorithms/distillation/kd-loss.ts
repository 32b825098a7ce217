/**
 * NNCF's knowledge-distillation losses (spec/algorithms.md §11) for one output pair:
 * - mse:     scale · mean((t − s)²); outputs with fewer than 2 dims → 0
 * - softmax: scale · T² · C · mean_{batch,class}(−softmax(t/T) · log_softmax(s/T)), C = dim 1; only 2-D outputs
 */
import * as tf from '@tensorflow/tfjs-core';

export type KdType = 'mse' | 'softmax';

export function kdOutputLoss(type: KdType, teacher: tf.Tensor, student: tf.Tensor, scale: number, temperature = 1): tf.Scalar {
  return tf.tidy(() => {
    if (teacher.shape.join() !== student.shape.join())
      throw new Error(`knowledge_distillation: teacher output [${teacher.shape}] and student output [${student.shape}] differ in shape`);
    if (type === 'mse') {
      if (student.rank < 2) return tf.scalar(0);
      return tf.mul(tf.mean(tf.squaredDifference(teacher, student)), scale) as tf.Scalar;
    }
    if (student.rank !== 2) return tf.scalar(0);
    const T = temperature;
    const p = tf.softmax(tf.div(teacher, T));
    const logq = tf.logSoftmax(tf.div(student, T));
    return tf.mul(tf.mean(tf.neg(tf.mul(p, logq))), scale * T * T * student.shape[1]!) as tf.Scalar;
  });
}
