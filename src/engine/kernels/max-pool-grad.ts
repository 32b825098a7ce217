/**
 * MaxPoolGrad for wasm, replacing tfjs-backend-wasm 4.22's: that one starts each window's running max
 * at FLT_MIN (the smallest positive float, not -inf), so a window whose values are all negative sends
 * its gradient to flat offset 0 or drops it, and it keeps the last of tied maxima. Here, as in tfjs
 * cpu, onnxruntime (MaxPool's Indices) and PyTorch: dx[first max of each window, row-major] += dy.
 * Padding ('same') is not a candidate. Computed in JS on the heap data, channels innermost.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { allocF32, heapF32, type TensorInfo, type WasmBackend } from './wasm-backend.js';

export function maxPoolGradWasm(args: {
  inputs: { dy: TensorInfo; input: TensorInfo };
  backend: WasmBackend;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { backend } = args;
  const { dy, input } = args.inputs;
  const a = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = allocF32(backend, input.shape);
  // Views only after the last allocation (a heap grow detaches them).
  const x = heapF32(backend, input);
  const g = heapF32(backend, dy);
  const out = heapF32(backend, dx);
  out.fill(0);
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < nb; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const r0 = Math.max(0, yr * sh - top);
      const r1 = Math.min(h, yr * sh - top + kh);
      for (let yc = 0; yc < ow; yc++) {
        const c0 = Math.max(0, yc * sw - left);
        const c1 = Math.min(w, yc * sw - left + kw);
        best.fill(-Infinity);
        at.fill(-1);
        for (let xr = r0; xr < r1; xr++) {
          for (let xc = c0; xc < c1; xc++) {
            const base = ((b * h + xr) * w + xc) * c;
            for (let d = 0; d < c; d++) {
              const v = x[base + d];
              // Strict '>': the first maximum wins ties; NaN is never taken (as tfjs cpu).
              if (v > best[d]) {
                best[d] = v;
                at[d] = base + d;
              }
            }
          }
        }
        const o = ((b * oh + yr) * ow + yc) * c;
        for (let d = 0; d < c; d++) if (at[d] >= 0) out[at[d]] += g[o + d];
      }
    }
  }
  return dx;
}
