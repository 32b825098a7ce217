import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, initBackend } from '../../src/engine/index.js';
import { randomInputs, resnetStyle, mobilenetV2Style } from '../helpers/models.js';

/**
 * Layout cost: the engine keeps conv activations channels-last ('channels-last') versus converting
 * every op output back to NCHW ('onnx'). Reports forward time and the share of time spent in
 * Transpose kernels (tf.profile) for the ResNet-style and MobileNetV2-style nets, batch 16, 32x32.
 */
async function measure(model: ReturnType<typeof resnetStyle>, layout: 'channels-last' | 'onnx') {
  // fuse: false on both sides, to measure layout alone (Conv+BN folding is measured in fusion.test.ts).
  const engine = new Engine(model.graph, { layout, fuse: false });
  const feed = randomInputs(model, 1, 16).input;
  const x = tf.tensor(feed.data, feed.dims);
  const name = model.outputs[0];
  const ref = engine.run({ input: x })[name];
  const values = ref.dataSync().slice();
  ref.dispose();
  // Best of 7: other processes share the cores.
  let ms = Infinity;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    tf.dispose(engine.run({ input: x }));
    ms = Math.min(ms, performance.now() - t0);
  }
  const prof = await tf.profile(() => tf.dispose(engine.run({ input: x })));
  const total = prof.kernels.reduce((s, k) => s + (k.kernelTimeMs as number), 0);
  const transposes = prof.kernels.filter((k) => k.name === 'Transpose');
  const tMs = transposes.reduce((s, k) => s + (k.kernelTimeMs as number), 0);
  engine.dispose();
  x.dispose();
  return { ms, transposeCount: transposes.length, transposeShare: tMs / total, values };
}

describe('layout: channels-last activations vs naive NCHW round trips (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const make of [resnetStyle, mobilenetV2Style])
    it(`${make.name}: same outputs, fewer transposes`, async () => {
      const model = make({ batch: 16 });
      const cl = await measure(model, 'channels-last');
      const naive = await measure(model, 'onnx');
      console.log(
        `${model.name} b16 fwd: channels-last ${cl.ms.toFixed(1)} ms (${cl.transposeCount} transposes, ${(cl.transposeShare * 100).toFixed(1)}% of kernel time) | ` +
          `naive NCHW ${naive.ms.toFixed(1)} ms (${naive.transposeCount} transposes, ${(naive.transposeShare * 100).toFixed(1)}%) | speed-up ${(naive.ms / cl.ms).toFixed(2)}x`,
      );
      for (let i = 0; i < cl.values.length; i++) expect(cl.values[i]).toBeCloseTo(naive.values[i], 5);
      expect(cl.transposeCount).toBeLessThanOrEqual(2);
      // The transpose count is the check; its share of kernel time is only printed: kernel timings on a
      // shared machine are noise (0.28 measured under load against 0.02–0.04 quiet), and tests assert no timings.
      expect(naive.transposeCount).toBeGreaterThan(cl.transposeCount);
    });
});
