/**
 * Extra and faster kernels for tfjs-backend-wasm so that tf.grad of conv nets works there and is
 * fast, tfjs-core's gradients (its Node bundle registers none), and a closed-form BatchNorm for
 * training. Imports only tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerConvGradients } from './conv-gradients.js';
import { registerExtraGradients } from './extra-gradients.js';
import { conv2dBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputWasm } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterWasm } from './depthwise-backprop-filter.js';
import { depthwiseBackpropInputWasm } from './depthwise-backprop-input.js';
import { maxPoolGradWasm } from './max-pool-grad.js';
import { registerTfjsGradients } from './tfjs-gradients.js';
import { unsortedSegmentSumWasm } from './unsorted-segment-sum.js';

export { batchNormTrain, type BatchNormTrainResult } from './batch-norm-train.js';
export { registerTfjsGradients } from './tfjs-gradients.js';

const wasmKernels: ReadonlyArray<{ kernelName: string; kernelFunc: unknown }> = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2dBackpropFilterWasm },
  // Replaces the built-in one (a naive loop, 40x slower than the forward conv).
  { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2dBackpropInputWasm },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: depthwiseBackpropFilterWasm },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: depthwiseBackpropInputWasm },
  // Replaces the built-in one (wrong for all-negative windows and ties, see the file).
  { kernelName: 'MaxPoolGrad', kernelFunc: maxPoolGradWasm },
  { kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSumWasm },
];

/** Our kernel functions: the conv gradients pass `dilations` only to these. */
const ourKernelFuncs: ReadonlySet<unknown> = new Set(wasmKernels.map((k) => k.kernelFunc));

/**
 * Registers tfjs-core's gradients, our conv gradients (with dilations) and our wasm kernels
 * (replacing built-in ones where ours are faster). Idempotent. Call after importing
 * '@tensorflow/tfjs-backend-wasm', before or after tf.setBackend('wasm'). Also fine (and needed
 * for gradients) when training on the cpu backend.
 */
export function registerWasmGradientKernels(): void {
  registerTfjsGradients();
  for (const { kernelName, kernelFunc } of wasmKernels) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing?.kernelFunc === kernelFunc) continue;
    if (existing != null) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
  }
  registerConvGradients(ourKernelFuncs);
  registerExtraGradients();
}
