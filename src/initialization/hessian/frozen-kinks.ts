/**
 * Frozen activation patterns for finite-difference Hessian-vector products.
 *
 * NNCF differentiates twice with autograd, which sees a ReLU network on the linear piece it is on: the
 * Hessian of ReLU, Clip (ReLU6) and LeakyRelu is zero almost everywhere. A central difference
 * ∇L(w ± εv) moves every pre-activation, and each one that crosses its kink inside ±ε adds a jump of
 * the gradient divided by 2ε — with BatchNorm on batch statistics every weight moves every unit, and a
 * few such crossings swamp the trace (measured: conv trace 0.25 or −2.9 for an exact 0.13, depending on ε).
 *
 * So the pattern is frozen: a record pass at the unperturbed weights stores, per activation node, the
 * slope s₀ (1 where y₀ = z₀ — Relu, Clip inside its bounds, LeakyRelu's positive side — else 0, or
 * LeakyRelu's alpha) and the offset y₀ − s₀·z₀ (Clip's bound where saturated); the ± passes then compute
 * y = s₀·z + offset, the linear piece autograd differentiates. MaxPool's kink is the maximum of a
 * window changing hands: the record pass marks the elements equal to their window's maximum, and the
 * ± passes add −BIG to the other elements of the pool's input, so each window keeps its maximal element
 * (2-D pools with non-overlapping windows; other MaxPools are left as they are). Measured on a
 * Conv→BN→ReLU→MaxPool layer: conv trace 0.012 unfrozen against −0.163 from PyTorch autograd.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../../compression/index.js';
import type { GraphNode } from '../../graph/index.js';

const OWNER = 'hawq-frozen-kinks';
const FROZEN_OPS = new Set(['Relu', 'Clip', 'LeakyRelu']);

/** Added to the elements that won no window at the base point (float32 range, far above any activation). */
const BIG = 1e30;

interface MaxPool2d {
  kernel: [number, number];
}

/** A 2-D MaxPool with non-overlapping windows (strides = kernel, no pads, dilation, ceil_mode or auto_pad), else null. */
function maxPool2d(node: GraphNode): MaxPool2d | null {
  const ints = (name: string) => {
    const a = node.attributes[name];
    return a && (a.type === 'ints' || a.type === 'int') ? ([] as number[]).concat(a.value as number | number[]).map(Number) : undefined;
  };
  const kernel = ints('kernel_shape');
  if (!kernel || kernel.length !== 2) return null;
  const dil = ints('dilations');
  const autoPad = node.attributes.auto_pad?.value;
  if ((dil && dil.some((d) => d !== 1)) || (ints('ceil_mode')?.[0] ?? 0) !== 0 || (autoPad !== undefined && String(autoPad) !== 'NOTSET')) return null;
  const strides = ints('strides') ?? [1, 1];
  if (strides[0] !== kernel[0] || strides[1] !== kernel[1] || (ints('pads') ?? []).some((p) => p !== 0)) return null;
  return { kernel: [kernel[0], kernel[1]] };
}

interface Piece {
  slope: tf.Tensor;
  offset: tf.Tensor;
}

export class FrozenKinks {
  /** 'off' until the first record: the hooks pass values through. */
  private mode: 'off' | 'record' | 'frozen' = 'off';
  private readonly inputs = new Map<string, tf.Tensor>();
  private readonly pieces = new Map<string, Piece>();
  readonly nodes: string[] = [];

  constructor(private readonly model: CompressedModel) {
    const g = model.graph;
    for (const node of g.nodes) {
      if (node.domain !== '' || !FROZEN_OPS.has(node.opType)) continue;
      const [z] = node.inputs;
      const [y] = node.outputs;
      if (!z || !y || g.initializers.has(z)) continue;
      const alpha = node.opType === 'LeakyRelu' ? Number(node.attributes.alpha?.value ?? 0.01) : 0;
      // the input as this node reads it (after any earlier hook on it), kept for the output hook of the same run
      model.apply({
        point: { kind: 'tensor', name: z, consumers: [node.name] },
        owner: OWNER,
        layout: 'onnx',
        fn: (x) => {
          if (this.mode !== 'off') this.inputs.set(node.name, x);
          return x;
        },
      });
      model.apply({ point: { kind: 'tensor', name: y }, owner: OWNER, layout: 'onnx', fn: (out) => this.output(node.name, out, alpha) });
      this.nodes.push(node.name);
    }
    for (const node of g.nodes) {
      const pool = node.domain === '' && node.opType === 'MaxPool' ? maxPool2d(node) : null;
      const [z] = node.inputs;
      if (!pool || !z || g.initializers.has(z) || node.outputs.filter((o) => o !== '').length !== 1) continue;
      model.apply({ point: { kind: 'tensor', name: z, consumers: [node.name] }, owner: OWNER, layout: 'onnx', fn: (x) => this.poolInput(node.name, x, pool) });
      this.nodes.push(node.name);
    }
  }

  /** Record: which elements win a window; frozen: the others pushed out of reach. */
  private poolInput(node: string, x: tf.Tensor, pool: MaxPool2d): tf.Tensor {
    if (this.mode === 'off') return x;
    if (this.mode === 'record') {
      const penalty = tf.tidy(() => {
        // non-overlapping windows: view [N, C, Ho, kh, Wo, kw], mark the elements equal to their window's max
        const [n, c, h, w] = x.shape;
        const [kh, kw] = pool.kernel;
        const ho = Math.floor(h / kh);
        const wo = Math.floor(w / kw);
        const windows = tf.reshape(tf.slice(x, [0, 0, 0, 0], [n, c, ho * kh, wo * kw]), [n, c, ho, kh, wo, kw]);
        const wins = tf.reshape(tf.equal(windows, tf.max(windows, [3, 5], true)), [n, c, ho * kh, wo * kw]);
        const inside = tf.where(wins, tf.zeros(wins.shape), tf.fill(wins.shape, -BIG));
        // rows/columns that no window reads stay as they are
        return tf.keep(tf.pad(inside, [[0, 0], [0, 0], [0, h - ho * kh], [0, w - wo * kw]]));
      });
      this.drop(node);
      this.pieces.set(node, { slope: penalty, offset: tf.keep(tf.scalar(0)) });
      return x;
    }
    const p = this.pieces.get(node);
    return p && tf.util.arraysEqual(p.slope.shape, x.shape) ? tf.add(x, p.slope) : x;
  }

  private output(node: string, y: tf.Tensor, alpha: number): tf.Tensor {
    const z = this.inputs.get(node);
    this.inputs.delete(node);
    if (!z || this.mode === 'off') return y;
    if (this.mode === 'record') {
      const piece = tf.tidy(() => {
        const linear = tf.equal(y, z);
        const slope = alpha ? tf.where(linear, tf.onesLike(z), tf.fill(z.shape, alpha)) : tf.cast(linear, 'float32');
        return { slope: tf.keep(slope), offset: tf.keep(tf.sub(y, tf.mul(slope, z))) };
      });
      this.drop(node);
      this.pieces.set(node, piece);
      return y;
    }
    const p = this.pieces.get(node);
    if (!p || !tf.util.arraysEqual(p.slope.shape, z.shape)) return y;
    return tf.add(tf.mul(p.slope, z), p.offset);
  }

  /** Runs `forward` at the unperturbed weights and freezes the pattern it sees for the passes that follow. */
  record(forward: () => void): void {
    this.mode = 'record';
    try {
      forward();
    } finally {
      this.mode = 'frozen';
      this.inputs.clear();
    }
  }

  private drop(node: string): void {
    const p = this.pieces.get(node);
    if (p) tf.dispose([p.slope, p.offset]);
    this.pieces.delete(node);
  }

  /** Removes the hooks and releases the stored patterns. */
  dispose(): void {
    this.model.removeCommands(OWNER);
    for (const node of [...this.pieces.keys()]) this.drop(node);
    this.inputs.clear();
  }
}
