/**
 * MaxPool frozen on its winners: at the recorded point each output takes the first maximal element of
 * its window (as onnxruntime and PyTorch pick), and later passes read those same elements with a
 * gather — the linear piece autograd differentiates, whatever the windows (overlapping, padded,
 * ceil_mode, dilated, 1-D or 2-D).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GraphNode } from '../../graph/index.js';

export interface PoolGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Explicit begin pads, or the auto_pad mode resolved once the input and output shapes are known. */
  padsBegin: number[] | null;
  autoPad: 'SAME_UPPER' | 'SAME_LOWER' | null;
}

function ints(node: GraphNode, name: string): number[] | undefined {
  const a = node.attributes[name];
  return a && (a.type === 'ints' || a.type === 'int') ? ([] as number[]).concat(a.value as number | number[]).map(Number) : undefined;
}

/** The window geometry of a 1-D or 2-D MaxPool; null for other ranks (left unfrozen). */
export function maxPoolGeometry(node: GraphNode): PoolGeometry | null {
  const kernel = ints(node, 'kernel_shape');
  if (!kernel || kernel.length < 1 || kernel.length > 2) return null;
  const r = kernel.length;
  const autoPad = String(node.attributes.auto_pad?.value ?? 'NOTSET');
  const pads = ints(node, 'pads') ?? new Array<number>(2 * r).fill(0);
  return {
    kernel,
    strides: ints(node, 'strides') ?? new Array<number>(r).fill(1),
    dilations: ints(node, 'dilations') ?? new Array<number>(r).fill(1),
    padsBegin: autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' ? null : autoPad === 'VALID' ? new Array<number>(r).fill(0) : pads.slice(0, r),
    autoPad: autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER' ? autoPad : null,
  };
}

/**
 * Flat indices into x (shape [N, C, ...spatial]) of each output's winner, for the output shape the pool
 * produced. The first element reaching the window's maximum wins (strict >, starting from −∞).
 */
export function poolWinners(x: Float32Array, xShape: readonly number[], yShape: readonly number[], g: PoolGeometry): Int32Array {
  const r = g.kernel.length;
  const [hIn, wIn] = r === 2 ? [xShape[2], xShape[3]] : [1, xShape[2]];
  const [hOut, wOut] = r === 2 ? [yShape[2], yShape[3]] : [1, yShape[2]];
  const k = r === 2 ? g.kernel : [1, g.kernel[0]];
  const s = r === 2 ? g.strides : [1, g.strides[0]];
  const d = r === 2 ? g.dilations : [1, g.dilations[0]];
  const sizes = [hIn, wIn];
  const outs = [hOut, wOut];
  const begin = (axis: number): number => {
    const explicit = g.padsBegin ? (r === 2 ? g.padsBegin[axis] : axis === 0 ? 0 : g.padsBegin[0]) : null;
    if (explicit !== null) return explicit;
    const total = Math.max(0, (outs[axis] - 1) * s[axis] + (k[axis] - 1) * d[axis] + 1 - sizes[axis]);
    return g.autoPad === 'SAME_LOWER' ? Math.ceil(total / 2) : Math.floor(total / 2);
  };
  const [padH, padW] = [begin(0), begin(1)];
  const planes = xShape[0] * xShape[1];
  const out = new Int32Array(planes * hOut * wOut);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * hIn * wIn;
    for (let oh = 0; oh < hOut; oh++)
      for (let ow = 0; ow < wOut; ow++) {
        let best = -Infinity;
        let at = -1;
        for (let i = 0; i < k[0]; i++) {
          const h = oh * s[0] - padH + i * d[0];
          if (h < 0 || h >= hIn) continue;
          for (let j = 0; j < k[1]; j++) {
            const w = ow * s[1] - padW + j * d[1];
            if (w < 0 || w >= wIn) continue;
            const v = x[base + h * wIn + w];
            if (v > best || at < 0) {
              best = v;
              at = base + h * wIn + w;
            }
          }
        }
        out[o++] = at;
      }
  }
  return out;
}

/** y = x.flat[winners] reshaped to yShape; its gradient scatters dy back onto the winners (repeats add up). */
export function gatherWinners(x: tf.Tensor, winners: tf.Tensor1D, yShape: readonly number[]): tf.Tensor {
  const forward = (input: tf.Tensor) => ({
    value: tf.reshape(tf.gather(tf.reshape(input, [-1]), winners), [...yShape]),
    gradFunc: (dy: tf.Tensor) => tf.reshape(tf.scatterND(tf.reshape(winners, [-1, 1]), tf.reshape(dy, [-1]), [input.size]), input.shape),
  });
  const f = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x);
}
