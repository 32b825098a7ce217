import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { fastPaths } from './fast-paths.js';
import { batchNormTrain, registerTfjsGradients, registerWasmGradientKernels } from './kernels/index.js';

export type BackendName = 'wasm' | 'cpu';

// The closed-form BatchNorm training op (tf.customGrad) works on every backend.
fastPaths.batchNormTrain = (x, gamma, beta, eps) => batchNormTrain(x, gamma, beta, eps);

/**
 * Registers tfjs-core's gradients (its Node entry point leaves them out) and our wasm gradient
 * kernels. Idempotent; the Engine calls it too, so training works even without initBackend().
 */
export function ensureGradients(): void {
  registerTfjsGradients();
  registerWasmGradientKernels();
}

/**
 * Selects the tfjs backend. wasm is the default (fast forward; our gradient kernels make training
 * fast there); cpu is the pure-JS fallback, used when wasm cannot start unless `fallback` is false.
 */
export async function initBackend(name: BackendName = 'wasm', opts: { fallback?: boolean } = {}): Promise<BackendName> {
  ensureGradients();
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch {
    ok = false;
  }
  if (!ok) {
    if (name === 'cpu' || opts.fallback === false) throw new Error(`could not initialise the tfjs "${name}" backend`);
    await tf.setBackend('cpu');
  }
  await tf.ready();
  return tf.getBackend() as BackendName;
}

/** Starts the default backend (wasm, cpu as fallback) unless one was chosen already (by initBackend or tf.setBackend). */
export async function ensureBackend(): Promise<string> {
  const chosen = (tf.engine() as unknown as { backendName: string | null }).backendName;
  return chosen ? (await tf.ready(), chosen) : initBackend();
}

export function activeBackend(): string {
  return tf.getBackend();
}
