/** Dev tool: per-kernel profile of one ResNet-8 training step through the Graph engine on wasm. `npx tsx bench/engine/profile-engine-train.ts` */
import * as tf from '@tensorflow/tfjs-core';
import { Engine, initBackend } from '../../src/engine/index.js';
import { resnet8Onnx } from './resnet8-graph.js';

await initBackend('wasm');
const engine = new Engine(resnet8Onnx().graph);
const sgd = tf.train.sgd(0.01);
const x = tf.randomUniform([64, 3, 32, 32], -1, 1);
const labels = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: 64 }, (_, i) => i % 10),
    'int32',
  ),
  10,
);
const step = () => {
  const l = sgd.minimize(
    () =>
      tf.losses.softmaxCrossEntropy(labels, engine.run({ input: x }, { training: true }).logits) as tf.Scalar,
    true,
    engine.trainableVariables(),
  );
  l?.dataSync();
  l?.dispose();
};
for (let i = 0; i < 3; i++) step();
const prof = await tf.profile(step);
const agg: Record<string, [number, number]> = {};
for (const k of prof.kernels) {
  const a = (agg[k.name] ??= [0, 0]);
  a[0] += k.kernelTimeMs as number;
  a[1]++;
}
for (const [k, [ms, n]] of Object.entries(agg)
  .sort((a, b) => b[1][0] - a[1][0])
  .slice(0, 20))
  console.log(`${k.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms  x${n}`);
