/** Dev tool: per-kernel profile of ResNet-8 training steps (tfjs ops model). `npx tsx bench/engine/profile-train.ts profile` */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from '../../src/engine/kernels/index.js';
import { buildResNet8, trainStep, forward } from './resnet8.js';
registerWasmGradientKernels();
await tf.setBackend('wasm');
const net = buildResNet8();
const opt = tf.train.sgd(0.05);
const x = tf.randomNormal([64, 32, 32, 3]) as tf.Tensor4D;
const y = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: 64 }, (_, i) => i % 10),
    'int32',
  ),
  10,
) as tf.Tensor2D;
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  const l = trainStep(net, opt, x, y);
  console.log('train', (performance.now() - t0).toFixed(0), 'ms loss', l.toFixed(3), tf.memory().numTensors);
}
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const o = tf.tidy(() => forward(net, x, false));
  o.dataSync();
  o.dispose();
  console.log('fwd', (performance.now() - t0).toFixed(0));
}
if (process.argv[2] === 'profile') {
  const prof = await tf.profile(() => {
    trainStep(net, opt, x, y);
  });
  const agg: Record<string, number> = {};
  for (const k of prof.kernels) agg[k.name] = (agg[k.name] ?? 0) + (k.kernelTimeMs as number);
  console.log(
    Object.entries(agg)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join('\n'),
  );
}
