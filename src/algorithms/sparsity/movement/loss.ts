/**
 * NNCF's ImportanceLoss: the running mean of the layers' losses, loss ← loss·n/(n+1) + l_n/(n+1)
 * (so the mean over layers, summed as NNCF sums it); 0 once disabled (frozen).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MovementSparsifier } from './sparsifier.js';

export class ImportanceLoss {
  disabled = false;

  constructor(readonly operands: readonly MovementSparsifier[]) {}

  disable(): void {
    this.disabled = true;
  }

  calculate(): tf.Scalar {
    return tf.tidy(() => {
      let loss: tf.Scalar = tf.scalar(0);
      if (this.disabled) return loss;
      this.operands.forEach((op, n) => {
        loss = tf.add(tf.mul(loss, n / (n + 1)), tf.div(op.loss(), n + 1));
      });
      return loss;
    });
  }
}
