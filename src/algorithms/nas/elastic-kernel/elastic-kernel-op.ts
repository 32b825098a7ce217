/**
 * One convolution's elastic kernel (NNCF's ElasticKernelConv2DOp). The active filter of size k is the
 * centre of the full filter, passed down the chain of learned transforms K→K−2→…→k (each a k'²×k'²
 * matrix, identity at start, applied to every flattened k'×k' filter); NNCF then pads the conv less so
 * the output keeps its shape. Here the k×k result is written back, zero-embedded, into a filter of the
 * full size, which with the original padding gives exactly the same output as the small conv with the
 * adjusted padding — so the engine and the exported graph keep their shapes and no node changes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ElasticKernelError, elasticKernelSizes } from './kernel-sizes.js';

/** A one-hot float vector of `n` with a 1 at `at`. */
function oneHot(n: number, at: number): tf.Tensor1D {
  return tf.tidy(() => tf.tensor1d(Float32Array.from({ length: n }, (_, i) => (i === at ? 1 : 0))));
}

export class ElasticKernelOp {
  readonly sizes: number[];
  readonly maxKernel: number;
  private active: number;
  /** `${larger}to${smaller}` → [smaller², smaller²] matrix (trainable; NNCF's `<l>to<s>_matrix`). */
  readonly matrices = new Map<string, tf.Variable>();
  /** One-hot over `sizes` marking the active size: the fed input of the graph-node form. */
  readonly flags: tf.Variable;

  constructor(
    readonly node: string,
    maxKernel: number,
    padding: number,
    maxNumKernels = -1,
  ) {
    this.maxKernel = maxKernel;
    this.sizes = elasticKernelSizes(maxKernel, padding, maxNumKernels);
    this.active = maxKernel;
    this.flags = tf.tidy(() => tf.variable(oneHot(this.sizes.length, 0), false));
    const ascending = [...new Set(this.sizes)].sort((a, b) => a - b);
    for (let i = 0; i + 1 < ascending.length; i++) {
      const s = ascending[i];
      this.matrices.set(`${ascending[i + 1]}to${s}`, tf.tidy(() => tf.variable(tf.eye(s * s), true)));
    }
  }

  get activeKernel(): number {
    return this.active;
  }

  set activeKernel(k: number) {
    if (k !== this.maxKernel && !this.sizes.includes(k))
      throw new ElasticKernelError(`elastic kernel of ${this.node}: kernel size ${k} is not one of ${this.sizes.join(', ')}`);
    this.active = k;
    const at = this.sizes.indexOf(k);
    tf.tidy(() => this.flags.assign(oneHot(this.sizes.length, at < 0 ? 0 : at)));
  }

  /** The sizes, largest first (the node form's order of transforms). */
  sizesDescending(): number[] {
    return [...this.sizes].sort((a, b) => b - a);
  }

  /** The filter for the active kernel size, embedded in the full size. `w` is in ONNX layout [O, I, K, K]. */
  filter(w: tf.Tensor): tf.Tensor {
    const k = this.active;
    const K = this.maxKernel;
    if (k >= K || k <= 1) return w;
    return tf.tidy(() => {
      const [o, i] = w.shape;
      const ascending = [...this.matrices.keys()].map((n) => Number(n.split('to')[1])).concat(K).sort((a, b) => a - b);
      let current = w;
      for (let j = ascending.length - 1; j > 0 && ascending[j] > k; j--) {
        const src = ascending[j];
        const dst = ascending[j - 1];
        const start = (src - dst) / 2;
        const crop = tf.slice(current, [0, 0, start, start], [o, i, dst, dst]);
        // F.linear(x, M) = x·Mᵀ on each flattened filter
        const flat = tf.reshape(crop, [o * i, dst * dst]);
        current = tf.reshape(tf.matMul(flat, this.matrices.get(`${src}to${dst}`)!, false, true), [o, i, dst, dst]);
      }
      const pad = (K - k) / 2;
      return tf.pad(current, [[0, 0], [0, 0], [pad, pad], [pad, pad]]);
    });
  }

  dispose(): void {
    for (const m of this.matrices.values()) m.dispose();
    this.matrices.clear();
    this.flags.dispose();
  }
}
