/**
 * UnsortedSegmentSum for wasm (tfjs-backend-wasm has none; tf.gather's gradient needs it):
 * out[s, ...] = sum over i with ids[i] == s of x[i, ...]; ids outside [0, numSegments) are dropped.
 */
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { allocF32, heapF32, type TensorInfo, type WasmBackend } from './wasm-backend.js';

export function unsortedSegmentSumWasm(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: WasmBackend;
  attrs: NamedAttrMap;
}): TensorInfo {
  const { backend } = args;
  const { x, segmentIds } = args.inputs;
  const numSegments = args.attrs.numSegments as number;
  const idRank = segmentIds.shape.length;
  const numIds = segmentIds.shape.reduce((a, b) => a * b, 1);
  const innerShape = x.shape.slice(idRank);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum (wasm kernels): float32 only, got ${x.dtype}`);
  const out = allocF32(backend, [numSegments, ...innerShape]);
  const src = heapF32(backend, x);
  const dst = heapF32(backend, out);
  const ids = backend.typedArrayFromHeap(segmentIds);
  dst.fill(0);
  for (let i = 0; i < numIds; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const xi = i * inner;
    for (let k = 0; k < inner; k++) dst[o + k] += src[xi + k];
  }
  return out;
}
