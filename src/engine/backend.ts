import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { fastPaths, type FastPaths } from './fast-paths.js';

export type BackendName = 'wasm' | 'cpu';

/** Optional modules of src/engine/kernels (written separately); loaded lazily so the engine works without them. */
interface KernelsModule {
  registerWasmGradientKernels?: () => void;
  registerTfjsGradients?: () => void;
  batchNormTrain?: FastPaths['batchNormTrain'];
}

let gradientsRegistered = false;
let wasmKernelsRegistered = false;

/**
 * Selects the tfjs backend. wasm is the default (fast forward, our gradient kernels make training fast);
 * cpu is the pure-JS fallback. Falls back to cpu when wasm cannot start and `fallback` is not false.
 * Also registers tfjs-core's gradients, which its Node entry point leaves out.
 */
export async function initBackend(name: BackendName = 'wasm', opts: { fallback?: boolean } = {}): Promise<BackendName> {
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
  const active = tf.getBackend() as BackendName;
  const kernels = await importOptional('./kernels/index.js');
  if (!gradientsRegistered) {
    const grads = kernels?.registerTfjsGradients ? kernels : await importOptional('./kernels/tfjs-gradients.js');
    grads?.registerTfjsGradients?.();
    gradientsRegistered = true;
  }
  if (kernels?.batchNormTrain) fastPaths.batchNormTrain = kernels.batchNormTrain;
  if (active === 'wasm' && !wasmKernelsRegistered) {
    kernels?.registerWasmGradientKernels?.();
    wasmKernelsRegistered = true;
  }
  return active;
}

async function importOptional(path: string): Promise<KernelsModule | undefined> {
  try {
    return (await import(/* @vite-ignore */ path)) as KernelsModule;
  } catch (err) {
    if (isModuleNotFound(err)) return undefined;
    throw err;
  }
}

function isModuleNotFound(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /Cannot find module|Failed to load url|ERR_MODULE_NOT_FOUND|Does the file exist/i.test(msg);
}

export function activeBackend(): string {
  return tf.getBackend();
}
