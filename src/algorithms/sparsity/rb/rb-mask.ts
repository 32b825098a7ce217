/**
 * One RB-sparsified weight (NNCF's RBSparsifyingWeight): trainable mask logits m, logit(0.99) at start.
 * Forward: w · STThreshold(sigmoid(m + noise)), noise = logit(u) redrawn at every training forward
 * while not frozen (else none). STThreshold is x > 0.5 forward and the identity backward, so the task
 * loss and the RB loss both reach m; compression_lr_multiplier scales m's gradient. Node form: the
 * compression domain's `RBMask` op with inputs (logits, noise), noise fed with the last drawn values.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { InsertionCommand } from '../../../compression/index.js';
import type { Engine } from '../../../engine/index.js';
import type { SparsifiableLayer } from '../layers.js';
import { MaskedWeight } from '../mask.js';
import { rbNoise } from './noise.js';

export const RB_MASK_OP = 'RBMask';
/**
 * NNCF's initial logit, `logit(torch.ones(shape) * 0.99)` = log(x / (1 − x)) with every op in float32:
 * 4.595120906829834 (ln 99 rounded once would be 4.595119953155518, 1e-6 lower).
 */
const f32 = Math.fround;
const X099 = f32(0.99);
export const RB_INITIAL_LOGIT = f32(Math.log(f32(X099 / f32(1 - X099))));

/** x > 0.5 as 0/1, gradient passed straight through (NNCF's STThreshold). */
export const stThreshold = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.cast(tf.greater(x, 0.5), 'float32'), gradFunc: (dy: tf.Tensor) => dy };
}) as (x: tf.Tensor) => tf.Tensor;

/** Identity whose gradient is multiplied by `m` (NNCF's CompressionParameter with compression_lr_multiplier). */
export function scaledGradient(x: tf.Tensor, m: number): tf.Tensor {
  if (m === 1) return x;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const t = args[0] as tf.Tensor;
    return { value: tf.clone(t), gradFunc: (dy: tf.Tensor) => tf.mul(dy, m) };
  }) as (t: tf.Tensor) => tf.Tensor;
  return f(x);
}

export class RBMaskedWeight extends MaskedWeight {
  readonly logits: tf.Variable;
  /** The noise of the last training forward (zeros before the first): the node form's fed input. */
  readonly noise: tf.Variable;
  /** The logits' node-form input name: `<owner>/<weight>._mask`, the `_mask` NNCF's parameter_groups regexes look for. */
  readonly logitsName: string;
  draws = 0;
  /** A hook drew noise that the node form has not been fed yet (the ORT trainer reads it next). */
  private pending = false;

  constructor(
    layer: SparsifiableLayer,
    engine: Engine,
    owner: string,
    readonly stream: number,
    readonly seed: number,
    readonly lrMultiplier = 1,
  ) {
    super(layer, engine, owner);
    this.logitsName = `${owner}/${layer.weight}._mask`;
    this.logits = tf.tidy(() => tf.variable(tf.fill(this.weight.shape, RB_INITIAL_LOGIT), true));
    this.noise = tf.tidy(() => tf.variable(tf.zerosLike(this.weight), false));
  }

  /** Logits with the lr multiplier on their gradient. */
  scaledLogits(): tf.Tensor {
    return scaledGradient(this.logits, this.lrMultiplier);
  }

  /** The deterministic binary mask STThreshold(sigmoid(m)) (differentiable to m through the straight-through rule). */
  binaryMask(): tf.Tensor {
    return stThreshold(tf.sigmoid(this.scaledLogits()));
  }

  private drawNoise(): tf.Tensor {
    const values = rbNoise(this.seed, this.stream, this.draws++, this.weight.size);
    const t = tf.tensor(values, this.weight.shape);
    this.noise.assign(t);
    this.pending = true;
    return t;
  }

  /**
   * The noise fed to the node form, read once per training step by the ORT trainer: the noise the tfjs
   * hook drew for this step if it ran, else a fresh draw (zeros once frozen), so both paths draw one
   * noise per training forward from the same sequence.
   */
  private fedNoise(): tf.Variable {
    if (this.pending) this.pending = false;
    else if (this.frozen) tf.tidy(() => this.noise.assign(tf.zerosLike(this.noise)));
    else {
      tf.dispose(this.drawNoise());
      this.pending = false;
    }
    return this.noise;
  }

  /** Refreshes the plain 0/1 `mask` variable (statistics, export) from the logits. */
  syncMask(): void {
    const m = tf.tidy(() => tf.cast(tf.greater(tf.sigmoid(this.logits), 0.5), 'float32'));
    this.setMask(m);
    m.dispose();
  }

  override command(owner: string): InsertionCommand {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return {
      owner,
      point: { kind: 'weight', name: this.layer.weight },
      layout: 'native',
      fn: (x, info) => {
        const noisy = info.training && !this.frozen;
        const logits = this.scaledLogits();
        const mask = stThreshold(tf.sigmoid(noisy ? tf.add(logits, this.drawNoise()) : logits));
        return tf.mul(x, mask);
      },
      node: {
        opType: RB_MASK_OP,
        inputs: [
          { name: this.logitsName, value: this.logits, toOnnx: (t) => this.toOnnx(t), fromOnnx: (t) => this.fromOnnx(t), trainable: true, lrMultiplier: this.lrMultiplier },
          {
            name: `${this.inputName}_noise`,
            get value() {
              return self.fedNoise();
            },
            toOnnx: (t) => this.toOnnx(t),
            fromOnnx: (t) => this.fromOnnx(t),
            trainable: false,
          },
        ],
      },
    };
  }

  override dispose(): void {
    super.dispose();
    this.logits.dispose();
    this.noise.dispose();
  }
}
