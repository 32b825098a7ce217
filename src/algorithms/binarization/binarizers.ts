/**
 * One binarized convolution: its weight binarizer (xnor/dorefa) and the activation binarizer on its
 * input 0 (a pre-hook: only this conv reads the binarized value), each an InsertionCommand carrying the
 * tfjs hook and the node form. Parameters as NNCF's ActivationBinarizationScaleThreshold: `scale` [1]
 * stored as log (0 → scale 1 until initialized), `threshold` [1, W.shape[1], 1, 1] stored as logit (0 →
 * 0.5; NNCF shapes it from the weight, so a depthwise conv gets one threshold). The scale is set on the
 * first training forward while enabled, from that batch's activations (initialScale).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { InsertionCommand } from '../../compression/index.js';
import { binarizeActivation, binarizeWeight, initialScale, type BinarizationMode } from './binarize-ops.js';
import { activationNodeForm, weightNodeForm } from './binarize-nodes.js';

export interface BinarizedLayer {
  /** Scope of the conv (statistics, scopes). */
  name: string;
  /** The Conv node. */
  node: string;
  weight: string;
  /** The conv's input 0 (what the activation binarizer reads). */
  input: string;
  weightDims: number[];
}

/** A 0-d float flag fed to the node form; the hook reads `enabled`. */
class Flag {
  enabled = false;
  readonly value = tf.variable(tf.scalar(0), false);
  set(on: boolean): void {
    this.enabled = on;
    tf.tidy(() => this.value.assign(tf.scalar(on ? 1 : 0)));
  }
}

export class LayerBinarizers {
  readonly weightFlag = new Flag();
  readonly activationFlag = new Flag();
  readonly scale: tf.Variable;
  readonly threshold: tf.Variable;
  scaleInitialized = false;

  constructor(
    readonly layer: BinarizedLayer,
    readonly mode: BinarizationMode,
    readonly owner: string,
    readonly lrMultiplier = 1,
  ) {
    this.scale = tf.variable(tf.zeros([1]), true);
    this.threshold = tf.variable(tf.zeros([1, layer.weightDims[1], 1, 1]), true);
  }

  private inputName(what: string): string {
    return `${this.owner}/${this.layer.name}/${what}`;
  }

  weightCommand(): InsertionCommand {
    return {
      owner: this.owner,
      point: { kind: 'weight', name: this.layer.weight },
      layout: 'onnx',
      fn: (w) => (this.weightFlag.enabled ? binarizeWeight(w, this.mode) : w),
      node: weightNodeForm(this.mode, { name: this.inputName('weights_enabled'), value: this.weightFlag.value }),
    };
  }

  /**
   * The activation command. The scale comes from the first training forward while enabled (the hook's
   * initScale); a compiled ORT step runs no hook, so the trainer runs that batch's forward on the engine
   * first whenever the controller's needsForwardInit() says so, and the node form reads the set scale.
   */
  activationCommand(): InsertionCommand {
    const active = () => this.activationFlag.enabled;
    const node = activationNodeForm(
      { name: this.inputName('scale'), value: this.scale, trainable: true, lrMultiplier: this.lrMultiplier, active },
      { name: this.inputName('threshold'), value: this.threshold, trainable: true, lrMultiplier: this.lrMultiplier, active },
      { name: this.inputName('activations_enabled'), value: this.activationFlag.value },
    );
    return {
      owner: this.owner,
      point: { kind: 'tensor', name: this.layer.input, consumers: [this.layer.node] },
      layout: 'onnx',
      fn: (x, info) => {
        if (!this.activationFlag.enabled) return x;
        if (info.training && !this.scaleInitialized) this.initScale(x);
        return binarizeActivation(x, this.scale, this.threshold, this.lrMultiplier);
      },
      node,
    };
  }

  /** NNCF: log of the smallest of the top 0.1 % activation values of the batch. */
  initScale(x: tf.Tensor): void {
    const v = initialScale(x);
    tf.tidy(() => this.scale.assign(tf.fill([1], Math.log(v))));
    this.scaleInitialized = true;
  }

  /** exp(scale), sigmoid(threshold)·exp(scale): the values the binarized activation compares against. */
  activationValues(): { scale: number; thresholds: Float32Array } {
    return tf.tidy(() => {
      const s = tf.exp(this.scale);
      return { scale: s.dataSync()[0], thresholds: Float32Array.from(tf.mul(tf.sigmoid(this.threshold), s).dataSync()) };
    });
  }

  dispose(): void {
    tf.dispose([this.scale, this.threshold, this.weightFlag.value, this.activationFlag.value]);
  }
}
