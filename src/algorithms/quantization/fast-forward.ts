/**
 * Forward-only fake quantization of activations in one JS pass, for initialization passes that need
 * no gradients (BatchNorm adaptation): the tfjs op chain costs ~7 full-tensor kernels per quantizer.
 * Same arithmetic as quantizeForward (float32 steps, round half to even like tf.round).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Quantizer } from './fake-quantize/index.js';

export interface FastParams {
  low: Float32Array;
  scale: Float32Array;
  zp: Float32Array;
  high: Float32Array;
  /** ONNX channel axis (the hook gets ONNX layout for per-channel activations); null = per tensor. */
  axis: number | null;
}

const f = Math.fround;

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
}

export function fastParams(q: Quantizer, axis: number | null): FastParams {
  const p = q.fakeQuantizeParams();
  const n = p.inputLow.length;
  const low = Float32Array.from(p.clip?.low ?? p.inputLow);
  const high = Float32Array.from(p.clip?.high ?? p.inputHigh);
  const levels = q.levelRange.levels;
  const scale = new Float32Array(n);
  const zp = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    scale[i] = f((levels - 1) / f(high[i] - low[i]));
    zp[i] = roundHalfEven(f(-low[i] * scale[i]));
  }
  return { low, scale, zp, high, axis: n > 1 ? axis : null };
}

/** `axis`: channel axis of `x` as handed to the hook (native layout); ignored for per-tensor params. */
export function fastFakeQuantize(x: tf.Tensor, p: FastParams, axis: number | null = p.axis): tf.Tensor {
  const src = x.dataSync() as Float32Array;
  const out = new Float32Array(src.length);
  const shape = x.shape;
  const ax = p.low.length > 1 ? axis : null;
  const inner = ax === null ? src.length : shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const channels = ax === null ? 1 : shape[ax];
  for (let start = 0, k = 0; start < src.length; start += inner, k++) {
    const c = k % channels;
    const lo = p.low[c];
    const hi = p.high[c];
    const s = p.scale[c];
    const zp = p.zp[c];
    for (let i = start; i < start + inner; i++) {
      const v = src[i];
      const t = ((v < lo ? lo : v > hi ? hi : v) - lo) * s - zp;
      let r = Math.floor(t + 0.5);
      if (r - t === 0.5 && r % 2 !== 0) r -= 1; // tie → even, like tf.round
      out[i] = r / s;
    }
  }
  return tf.tensor(out, shape, 'float32');
}
