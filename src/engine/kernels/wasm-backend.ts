/**
 * The small part of tfjs-backend-wasm's BackendWasm that our kernels use. The wasm package does
 * not export a type for it that works under NodeNext resolution, so we describe it here.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}

export interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

type KernelArgs = { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown>; backend: WasmBackend };

/** A fresh float32 tensor on the wasm heap (uninitialised memory). */
export function allocF32(backend: WasmBackend, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/**
 * A Float32Array view of a tensor's heap memory. Any later allocation may grow (and detach) the
 * heap, so take views only after all allocations of a step.
 */
export function heapF32(backend: WasmBackend, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`wasm kernels: expected float32, got ${info.dtype}`);
  return backend.typedArrayFromHeap(info) as Float32Array;
}

export function heapI32(backend: WasmBackend, info: TensorInfo): Int32Array {
  if (info.dtype !== 'int32') throw new Error(`wasm kernels: expected int32, got ${info.dtype}`);
  return backend.typedArrayFromHeap(info) as Int32Array;
}

/** Runs another kernel registered for wasm directly (no engine bookkeeping, no tape). */
export function runWasmKernel(
  backend: WasmBackend,
  kernelName: string,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown>,
): TensorInfo {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config == null) throw new Error(`wasm kernels: no wasm kernel ${kernelName}`);
  const args: KernelArgs = { inputs, attrs, backend };
  return config.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
}

export function release(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Reinterprets a tensor's memory with another shape (same size): a view, not a copy. */
export function withShape(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}
