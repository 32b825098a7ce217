/**
 * NNCF's RB losses (nncf/torch/sparsity/rb/loss.py), p = 0.05. Global: with P = mask elements of the
 * layers and S = Σ STThreshold(sigmoid(m)) (no noise), loss = ((S/P − (1 − level)) / p)², and the
 * measured sparsity 1 − S/P feeds the adaptive scheduler. Local: loss = (Σ −|S_l/P_l − (1 − level_l)| / p)².
 * Disabled (frozen) the loss is 0. `meanSparseProb` = Σ sigmoid(m) / P of the last evaluation.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RBMaskedWeight } from './rb-mask.js';

const P = 0.05;

export class RBSparsityLoss {
  disabled = false;
  /** 1 − level; 1 until a level is set (NNCF's default target). */
  target = 1;
  readonly perLayerTarget = new Map<RBMaskedWeight, number>();
  currentSparsity = 0;
  meanSparseProb = 0;

  constructor(
    readonly layers: readonly RBMaskedWeight[],
    readonly local: boolean,
  ) {
    for (const l of layers) this.perLayerTarget.set(l, 1);
  }

  disable(): void {
    if (this.disabled) return;
    this.disabled = true;
    for (const l of this.layers) l.frozen = true;
  }

  setTargetSparsityLoss(level: number, layer?: RBMaskedWeight): void {
    if (layer) this.perLayerTarget.set(layer, 1 - level);
    else this.target = 1 - level;
  }

  /** NNCF's target_sparsity_rate: 1 − target, in [0, 1]. */
  get targetSparsityRate(): number {
    const rate = 1 - this.target;
    if (rate < 0 || rate > 1) throw new RangeError(`rb_sparsity: the target is not within [0, 1]: ${rate}`);
    return rate;
  }

  calculate(): tf.Scalar {
    if (this.disabled) return tf.scalar(0);
    const active = this.layers.filter((l) => !l.frozen);
    if (active.length === 0) return tf.scalar(0);
    let params = 0;
    const out = tf.tidy(() => {
      let probSum: tf.Tensor = tf.scalar(0);
      let acc: tf.Tensor = tf.scalar(0);
      let sum: tf.Tensor = tf.scalar(0);
      for (const l of active) {
        const n = l.logits.size;
        params += n;
        const s = tf.sum(l.binaryMask());
        probSum = tf.add(probSum, tf.sum(tf.sigmoid(l.logits)));
        if (this.local) acc = tf.sub(acc, tf.abs(tf.sub(tf.div(s, n), this.perLayerTarget.get(l)!)));
        else sum = tf.add(sum, s);
      }
      const loss = this.local ? tf.square(tf.div(acc, P)) : tf.square(tf.div(tf.sub(tf.div(sum, params), this.target), P));
      return { loss: loss as tf.Scalar, probSum: tf.keep(probSum), sum: tf.keep(sum) };
    });
    this.meanSparseProb = out.probSum.dataSync()[0] / params;
    if (!this.local) this.currentSparsity = 1 - out.sum.dataSync()[0] / params;
    out.probSum.dispose();
    out.sum.dispose();
    return out.loss;
  }
}
