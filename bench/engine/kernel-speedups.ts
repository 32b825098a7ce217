/**
 * Our wasm conv-gradient kernels against the alternatives on ResNet-8 layer shapes (batch 64):
 * the forward conv (the yardstick), tfjs-backend-wasm's built-in Conv2DBackpropInput, and the cpu
 * backend's kernels (run on one image and scaled, they are slow).
 */
import * as tf from '@tensorflow/tfjs-core';
import { time } from './timing.js';

type Layer = {
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  s: number;
};
const LAYERS: Layer[] = [
  { name: '32x32 16->16 3x3 s1', x: [64, 32, 32, 16], f: [3, 3, 16, 16], s: 1 },
  { name: '32x32 16->32 3x3 s2', x: [64, 32, 32, 16], f: [3, 3, 16, 32], s: 2 },
  { name: '8x8 64->64 3x3 s1', x: [64, 8, 8, 64], f: [3, 3, 64, 64], s: 1 },
];

/**
 * `builtinInput` is the wasm package's own Conv2DBackpropInput, captured before we replaced it; its
 * setupFunc (which binds the wasm export) never ran, because ours was registered first, so run it here.
 */
export async function kernelSpeedups(builtinInput: tf.KernelConfig | null): Promise<string[]> {
  if (builtinInput) tf.setBackend('wasm');
  builtinInput?.setupFunc?.(tf.backend());
  const lines = [
    'layer                    fwd ms  dW ms (ours)  dX ms (ours)  dX ms (wasm built-in)  dW ms (cpu, scaled)',
  ];
  for (const l of LAYERS) {
    tf.setBackend('wasm');
    const x = tf.randomNormal(l.x) as tf.Tensor4D;
    const w = tf.randomNormal(l.f) as tf.Tensor4D;
    const dy = tf.tidy(() => tf.randomNormal(tf.conv2d(x, w, l.s, 'same').shape)) as tf.Tensor4D;
    const attrs = { strides: l.s, pad: 'same', dataFormat: 'NHWC' };
    // Not tf.tidy(() => t.dataSync()): tidy walks a returned typed array element by element.
    const run = (f: () => tf.Tensor) => () => {
      const t = f();
      t.dataSync();
      t.dispose();
    };
    const opts = { warmup: 1, repeats: 5 };
    const fwd = await time(
      run(() => tf.conv2d(x, w, l.s, 'same')),
      opts,
    );
    const dW = await time(
      run(
        () =>
          tf
            .engine()
            .runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: l.f }) as tf.Tensor,
      ),
      opts,
    );
    const dX = await time(
      run(
        () =>
          tf
            .engine()
            .runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: l.x }) as tf.Tensor,
      ),
      opts,
    );
    let builtin = NaN;
    if (builtinInput) {
      const backend = tf.backend();
      builtin = (
        await time(
          () => {
            const out = builtinInput.kernelFunc({
              inputs: { dy, filter: w },
              backend,
              attrs: { ...attrs, inputShape: l.x },
            } as never) as tf.TensorInfo;
            backend.disposeData(out.dataId);
          },
          { warmup: 0, repeats: 1 },
        )
      ).minMs;
    }
    // cpu on one image (the cpu filter gradient of the full batch takes minutes), scaled by 64.
    tf.setBackend('cpu');
    const xs = tf.slice(x, 0, 1);
    const dys = tf.slice(dy, 0, 1);
    const cpuW =
      (
        await time(
          run(
            () =>
              tf
                .engine()
                .runKernel(
                  'Conv2DBackpropFilter',
                  { x: xs, dy: dys },
                  { ...attrs, filterShape: l.f },
                ) as tf.Tensor,
          ),
          { warmup: 0, repeats: 1 },
        )
      ).minMs * 64;
    tf.dispose([xs, dys]);
    tf.setBackend('wasm');
    tf.dispose([x, w, dy]);
    const f = (v: number) => v.toFixed(1).padStart(8);
    lines.push(
      `${l.name.padEnd(22)} ${f(fwd.minMs)} ${f(dW.minMs)}      ${f(dX.minMs)}      ${f(builtin)} (${(builtin / dX.minMs).toFixed(0)}x)      ${f(cpuW)} (${(cpuW / dW.minMs).toFixed(0)}x)`,
    );
  }
  return lines;
}
