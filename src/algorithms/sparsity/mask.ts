/**
 * One masked weight: the binary mask (a non-trainable tf.Variable in the engine's storage layout of the
 * weight, so the hook multiplies without transposes) and the insertion command that applies it: the
 * tfjs hook `w·mask` and its graph-node form, the compression domain's `Mask` op (node-form.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { InsertionCommand } from '../../compression/index.js';
import { maskNodeForm } from '../common/mask-node.js';
import type { Engine } from '../../engine/index.js';
import type { SparsifiableLayer } from './layers.js';

export class MaskedWeight {
  readonly mask: tf.Variable;
  /** stored = transpose(onnx, perm); null = ONNX layout. */
  readonly perm: number[] | null;
  readonly weight: tf.Variable;
  frozen = false;
  /** Graph-unique name of the mask input of the node form. */
  readonly inputName: string;

  constructor(
    readonly layer: SparsifiableLayer,
    engine: Engine,
    owner: string,
  ) {
    this.inputName = `${owner}/${layer.weight}/mask`;
    const w = engine.weights().find((x) => x.name === layer.weight)!;
    this.weight = w.variable;
    this.perm = w.perm;
    this.mask = tf.tidy(() => tf.variable(tf.onesLike(w.variable), false));
  }

  get name(): string {
    return this.layer.name;
  }

  /** Replaces the mask (a tensor in storage layout); the caller keeps ownership of `value`. */
  setMask(value: tf.Tensor): void {
    this.mask.assign(value);
  }

  /** The weight as the model uses it (raw weight × mask), storage layout. */
  maskedWeight(): tf.Tensor {
    return tf.mul(this.weight, this.mask);
  }

  toOnnx(t: tf.Tensor): tf.Tensor {
    if (!this.perm) return t.clone();
    const inverse = this.perm.map((_, i) => this.perm!.indexOf(i));
    return tf.transpose(t, inverse);
  }

  fromOnnx(t: tf.Tensor): tf.Tensor {
    return this.perm ? tf.transpose(t, this.perm) : t.clone();
  }

  /** Mask before every other weight hook (NNCF: sparsification priority precedes quantization). */
  command(owner: string): InsertionCommand {
    const mask = this.mask;
    return {
      owner,
      point: { kind: 'weight', name: this.layer.weight },
      layout: 'native',
      fn: (x) => tf.mul(x, mask),
      node: maskNodeForm({ name: this.inputName, value: mask, toOnnx: (t) => this.toOnnx(t), fromOnnx: (t) => this.fromOnnx(t) }),
    };
  }

  dispose(): void {
    this.mask.dispose();
  }
}
