/** Dev tool: forward / filter-gradient / input-gradient ms per ResNet-8 conv layer on wasm. `npx tsx bench/engine/layer-timings.ts` */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '../../src/engine/kernels/index.js';
registerWasmGradientKernels();
await tf.setBackend('wasm');
const layers = [
  [32, 3, 16, 3, 1],
  [32, 16, 16, 3, 1],
  [32, 16, 32, 3, 2],
  [16, 32, 32, 3, 1],
  [32, 16, 32, 1, 2],
  [16, 32, 64, 3, 2],
  [8, 64, 64, 3, 1],
  [16, 32, 64, 1, 2],
];
const N = 64;
function t(f: () => tf.Tensor, r = 5) {
  f().dispose();
  const ms: number[] = [];
  for (let i = 0; i < r; i++) {
    const t0 = performance.now();
    const o = f();
    o.dataSync();
    o.dispose();
    ms.push(performance.now() - t0);
  }
  return Math.min(...ms).toFixed(1);
}
for (const [H, ci, co, k, s] of layers) {
  const x = tf.randomNormal([N, H, H, ci]) as tf.Tensor4D,
    w = tf.randomNormal([k, k, ci, co]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s, 'same');
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const fa = { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: w.shape } as any;
  const ia = { strides: s, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape } as any;
  console.log(
    `H${H} ${ci}->${co} k${k} s${s}: fwd ${t(() => tf.conv2d(x, w, s, 'same'))} bf ${t(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, fa) as tf.Tensor)} bi ${t(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, ia) as tf.Tensor)}`,
  );
  tf.dispose([x, w, y, dy]);
}
