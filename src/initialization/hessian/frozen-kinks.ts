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
 * window changing hands: the record pass stores each output's winning element (pool-winners.ts) and the
 * ± passes read those elements with a gather, for any 1-D/2-D window geometry (overlapping windows as
 * ResNet's 3×3/2 stem, pads, ceil_mode, dilations; 3-D pools are left as they are). Measured on a
 * Conv→BN→ReLU→MaxPool layer: conv trace 0.012 unfrozen against −0.163 from PyTorch autograd.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../../compression/index.js';
import { gatherWinners, maxPoolGeometry, poolWinners, type PoolGeometry } from './pool-winners.js';

const OWNER = 'hawq-frozen-kinks';
const FROZEN_OPS = new Set(['Relu', 'Clip', 'LeakyRelu']);

interface Piece {
  slope: tf.Tensor;
  offset: tf.Tensor;
}

export class FrozenKinks {
  /** 'off' until the first record: the hooks pass values through. */
  private mode: 'off' | 'record' | 'frozen' = 'off';
  private readonly inputs = new Map<string, tf.Tensor>();
  private readonly pieces = new Map<string, Piece>();
  private readonly winners = new Map<string, tf.Tensor1D>();
  readonly nodes: string[] = [];

  constructor(private readonly model: CompressedModel) {
    const g = model.graph;
    for (const node of g.nodes) {
      if (node.domain !== '' || !FROZEN_OPS.has(node.opType)) continue;
      const [z] = node.inputs;
      const [y] = node.outputs;
      if (!z || !y || g.initializers.has(z)) continue;
      const alpha = node.opType === 'LeakyRelu' ? Number(node.attributes.alpha?.value ?? 0.01) : 0;
      this.hookInputAndOutput(node.name, z, y, (out) => this.output(node.name, out, alpha));
      this.nodes.push(node.name);
    }
    for (const node of g.nodes) {
      const pool = node.domain === '' && node.opType === 'MaxPool' ? maxPoolGeometry(node) : null;
      const [z] = node.inputs;
      const [y, ...rest] = node.outputs;
      if (!pool || !z || !y || g.initializers.has(z) || rest.some((o) => o !== '')) continue;
      this.hookInputAndOutput(node.name, z, y, (out) => this.poolOutput(node.name, out, pool));
      this.nodes.push(node.name);
    }
  }

  /** Keeps the input as `node` reads it (after any earlier hook on it) for `onOutput`, the hook on its output in the same run. */
  private hookInputAndOutput(node: string, input: string, output: string, onOutput: (out: tf.Tensor) => tf.Tensor): void {
    const keep = (x: tf.Tensor): tf.Tensor => {
      if (this.mode !== 'off') this.inputs.set(node, x);
      return x;
    };
    this.model.apply({ point: { kind: 'tensor', name: input, consumers: [node] }, owner: OWNER, layout: 'onnx', fn: keep });
    this.model.apply({ point: { kind: 'tensor', name: output }, owner: OWNER, layout: 'onnx', fn: onOutput });
  }

  /** Record: each output's winning element; frozen: the output read from those elements. */
  private poolOutput(node: string, y: tf.Tensor, pool: PoolGeometry): tf.Tensor {
    const x = this.inputs.get(node);
    this.inputs.delete(node);
    if (!x || this.mode === 'off') return y;
    if (this.mode === 'record') {
      const winners = poolWinners(x.dataSync() as Float32Array, x.shape, y.shape, pool);
      this.drop(node);
      this.winners.set(node, tf.keep(tf.tensor1d(winners, 'int32')));
      return y;
    }
    const w = this.winners.get(node);
    return w && w.size === y.size ? gatherWinners(x, w, y.shape) : y;
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
    this.winners.get(node)?.dispose();
    this.winners.delete(node);
  }

  /** Removes the hooks and releases the stored patterns. */
  dispose(): void {
    this.model.removeCommands(OWNER);
    for (const node of new Set([...this.pieces.keys(), ...this.winners.keys()])) this.drop(node);
    this.inputs.clear();
  }
}
