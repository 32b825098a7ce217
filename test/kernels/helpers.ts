/** Shared helpers for the kernel tests: seeded data, error metric, running a kernel on a backend. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '../../src/engine/kernels/index.js';

export async function setupBackends(): Promise<void> {
  registerWasmGradientKernels();
  await tf.setBackend('wasm');
  await tf.ready();
}

/** Deterministic uniform values in [-0.5, 0.5). */
export function seeded(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

/** max |a - b| / max |b|: the relative error the engine notes quote (<= 3e-6). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Runs one kernel on a backend with float32 inputs and returns its values. */
export function runOn(
  backend: 'wasm' | 'cpu',
  kernelName: string,
  inputs: Record<string, { shape: number[]; values: Float32Array | Int32Array }>,
  attrs: object,
): Float32Array {
  const previous = tf.getBackend();
  tf.setBackend(backend);
  try {
    const out = tf.tidy(() => {
      const ins: tf.NamedTensorMap = {};
      for (const [k, v] of Object.entries(inputs)) {
        ins[k] = tf.tensor(v.values, v.shape, v.values instanceof Int32Array ? 'int32' : 'float32');
      }
      return tf.engine().runKernel(kernelName, ins, attrs as tf.NamedAttrMap) as tf.Tensor;
    });
    // Read outside tf.tidy: tidy walks a returned typed array element by element.
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return values;
  } finally {
    tf.setBackend(previous);
  }
}

export function outputShape(xShape: number[], fShape: number[], strides: unknown, pad: unknown, dilations: unknown, depthwise: boolean): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    fShape as [number, number, number, number],
    strides as number,
    dilations as number,
    pad as 'same',
    undefined,
    depthwise,
  );
  return info.outShape;
}
