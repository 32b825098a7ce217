/**
 * One movement-sparsified linear layer (NNCF's MovementSparsifier): importance scores per block of the
 * weight [out, in] (zeros at start, trainable, compression_lr_multiplier on their gradient) and, when
 * the layer has a bias, one score per block of output rows for it. In a training forward while not
 * frozen, mask = (expanded importance > t), t = min(threshold, 98th percentile), with a straight-through
 * gradient to the scores; the mask is stored and is what evaluation, statistics and export use (NNCF's
 * binary_mask). Frozen (after warm-up), the stored masks stay as they are.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { InsertionCommand } from '../../../compression/index.js';
import type { Engine } from '../../../engine/index.js';
import { MaskedWeight } from '../mask.js';
import { scaledGradient } from '../rb/rb-mask.js';
import type { LinearLayer } from './layers.js';
import { MOVEMENT_MASK_OP } from './movement-mask-node.js';
import type { SparseStructure } from './params.js';
import { effectiveThreshold } from './threshold.js';

/** x > t as 0/1 with the gradient passed straight through (NNCF's STThreshold). */
function stThresholdAt(x: tf.Tensor, t: number): tf.Tensor {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const v = args[0] as tf.Tensor;
    return { value: tf.cast(tf.greater(v, t), 'float32'), gradFunc: (dy: tf.Tensor) => dy };
  }) as (v: tf.Tensor) => tf.Tensor;
  return f(x);
}

/** Repeats each score over its block: [R, C] → [R·r, C·c] (or [R] → [R·r]); differentiable (gradient sums the block). */
export function expandImportance(t: tf.Tensor, factors: readonly number[]): tf.Tensor {
  if (factors.every((f) => f === 1)) return t;
  if (t.rank === 1) return tf.reshape(tf.tile(tf.reshape(t, [t.shape[0], 1]), [1, factors[0]]), [t.shape[0] * factors[0]]);
  const [R, C] = t.shape as [number, number];
  const [r, c] = factors;
  return tf.reshape(tf.tile(tf.reshape(t, [R, 1, C, 1]), [1, r, 1, c]), [R * r, C * c]);
}

/** One masked parameter (the weight or the bias) with its scores. */
export class ScoredMask extends MaskedWeight {
  readonly importance: tf.Variable;

  constructor(
    readonly owner: MovementSparsifier,
    layer: LinearLayer | { name: string; metatype: 'Linear'; weight: string; onnxDims: number[] },
    engine: Engine,
    /** [r, c] for the weight, [r] for the bias. */
    readonly factors: readonly number[],
    /** The parameter in PyTorch layout: [out, in] or [out]. */
    readonly torchShape: readonly number[],
    /** The ONNX parameter is the transpose of torchShape. */
    readonly transposed: boolean,
  ) {
    super(layer, engine, 'movement_sparsity');
    const scoreShape = torchShape.map((d, i) => d / factors[i]);
    this.importance = tf.tidy(() => tf.variable(tf.zeros(scoreShape), true));
  }

  get repeat(): number {
    return this.factors.reduce((a, b) => a * b, 1);
  }

  /** PyTorch-layout tensor → the parameter's storage layout. */
  private torchToStorage(t: tf.Tensor): tf.Tensor {
    const onnx = this.transposed ? tf.transpose(t, [1, 0]) : t;
    return this.fromOnnx(onnx);
  }

  /** The expanded scores in the parameter's storage layout (differentiable to the scores, lr multiplier applied). */
  expandedImportance(): tf.Tensor {
    return this.torchToStorage(expandImportance(scaledGradient(this.importance, this.owner.lrMultiplier), this.factors));
  }

  threshold(): number {
    return effectiveThreshold(this.importance.dataSync() as Float32Array, this.repeat, this.owner.importanceThreshold);
  }

  /** NNCF's _calc_training_binary_mask while training: recomputes and stores the mask; returns it (STE to the scores). */
  trainingMask(): tf.Tensor {
    const t = this.threshold();
    const mask = stThresholdAt(this.expandedImportance(), t);
    this.setMask(mask);
    return mask;
  }

  /** Refreshes the stored mask from the scores when a training forward would (not frozen). */
  refreshForStep(): void {
    if (this.owner.frozen) return;
    tf.tidy(() => {
      this.trainingMask();
    });
  }

  override command(owner: string): InsertionCommand {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return {
      owner,
      point: { kind: 'weight', name: this.layer.weight },
      layout: 'native',
      fn: (x, info) => tf.mul(x, info.training && !this.owner.frozen ? this.trainingMask() : this.mask),
      node: {
        opType: MOVEMENT_MASK_OP,
        attributes: {
          factors: { type: 'ints', value: [...this.factors] },
          shape: { type: 'ints', value: [...this.torchShape] },
          transposed: { type: 'int', value: this.transposed ? 1 : 0 },
        },
        inputs: [
          {
            name: `${this.inputName}_importance`,
            value: this.importance,
            trainable: true,
            lrMultiplier: this.owner.lrMultiplier,
            // frozen (NNCF's requires_grad_(False) + zero_grad(set_to_none)): no gradient at all, so momentum does not move them
            active: () => !this.owner.frozen,
          },
          {
            name: this.inputName,
            get value() {
              self.refreshForStep();
              return self.mask;
            },
            toOnnx: (t) => this.toOnnx(t),
            fromOnnx: (t) => this.fromOnnx(t),
            trainable: false,
          },
          { name: `${this.inputName}_active`, value: this.owner.active, trainable: false },
        ],
      },
    };
  }

  override dispose(): void {
    super.dispose();
    this.importance.dispose();
  }
}

export class MovementSparsifier {
  importanceThreshold = -Infinity;
  importanceRegularizationFactor = 0;
  frozen = false;
  /** 0-d 1/0: the scores train (fed to the node form). */
  readonly active: tf.Variable;
  readonly weight: ScoredMask;
  readonly bias?: ScoredMask;
  /** NNCF's layerwise_loss_lambda. */
  readonly layerwiseLossLambda = 0.5;

  constructor(
    readonly layer: LinearLayer,
    engine: Engine,
    readonly structure: SparseStructure,
    readonly sparseFactors: [number, number],
    readonly lrMultiplier: number,
    /** per_dim's axis (structured masking checks it against the group's pruning dimension). */
    readonly axis?: number,
  ) {
    this.active = tf.variable(tf.scalar(1), false);
    this.weight = new ScoredMask(this, layer, engine, sparseFactors, layer.shape, layer.transposed);
    if (layer.bias)
      this.bias = new ScoredMask(this, { name: `${layer.name}/bias`, metatype: 'Linear', weight: layer.bias, onnxDims: [layer.shape[0]] }, engine, [sparseFactors[0]], [layer.shape[0]], false);
  }

  get name(): string {
    return this.layer.name;
  }

  get masks(): ScoredMask[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  commands(owner: string): InsertionCommand[] {
    return this.masks.map((m) => m.command(owner));
  }

  /** NNCF's requires_grad_(False): the scores stop training, the stored masks stay. */
  freeze(): void {
    this.frozen = true;
    tf.tidy(() => this.active.assign(tf.scalar(0)));
  }

  /** NNCF's MovementSparsifier.loss(): λ·0.5·(mean σ(s_w)·r·c + mean σ(s_b)·r); 0 when frozen or λ = 0. */
  loss(): tf.Scalar {
    if (this.frozen || this.importanceRegularizationFactor === 0) return tf.scalar(0);
    return tf.tidy(() => {
      const [r, c] = this.sparseFactors;
      let l = tf.mul(tf.mean(tf.sigmoid(scaledGradient(this.weight.importance, this.lrMultiplier))), this.layerwiseLossLambda * r * c);
      if (this.bias) l = tf.add(l, tf.mul(tf.mean(tf.sigmoid(scaledGradient(this.bias.importance, this.lrMultiplier))), this.layerwiseLossLambda * r));
      return tf.mul(l, this.importanceRegularizationFactor) as tf.Scalar;
    });
  }

  dispose(): void {
    for (const m of this.masks) m.dispose();
    this.active.dispose();
  }
}
