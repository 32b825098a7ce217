import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, initBackend } from '../../src/engine/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

describe('memory', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('releases intermediates during a run: live tensors stay bounded on a 60-node chain', () => {
    const b = new OnnxBuilder({ seed: 1 });
    let y = b.input('x', [1, 4, 8, 8]);
    for (let i = 0; i < 20; i++) {
      const c = b.node('Conv', [y, b.randomWeight(`w${i}`, [4, 4, 3, 3])], { pads: [1, 1, 1, 1] });
      y = b.node('Add', [b.node('Relu', [c]), y]);
    }
    b.output(y);
    const engine = new Engine(b.toGraph());
    const x = tf.randomNormal([1, 4, 8, 8], 0, 1, 'float32', 3);
    const before = tf.memory().numTensors;
    let peak = 0;
    engine.insertHook({ tensor: y, fn: (t) => ((peak = tf.memory().numTensors - before), t) });
    const out = engine.run({ x });
    // Without release all 60 activations (plus temporaries) would be alive here.
    expect(peak).toBeLessThan(15);
    tf.dispose(out);
    expect(tf.memory().numTensors).toBe(before);
    engine.dispose();
    x.dispose();
  });

  it('dispose() frees every weight and constant', () => {
    const start = tf.memory().numTensors;
    const b = new OnnxBuilder({ seed: 1 });
    b.output(b.node('Conv', [b.input('x', [1, 2, 4, 4]), b.randomWeight('w', [3, 2, 3, 3])], { pads: [1, 1, 1, 1] }));
    const engine = new Engine(b.toGraph());
    expect(tf.memory().numTensors).toBeGreaterThan(start);
    engine.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('outputs that are inputs, constants or weights', () => {
  it('are copies, so disposing results never frees engine state or feeds', async () => {
    await initBackend('wasm');
    const b = new OnnxBuilder({ seed: 1 });
    const x = b.input('x', [2]);
    const w = b.randomWeight('w', [2, 2]);
    b.output(b.node('MatMul', [x, w]));
    const engine = new Engine(b.toGraph());
    const feed = tf.tensor([1, 2]);
    const out = engine.run({ x: feed }, { outputs: ['x', 'w'] });
    tf.dispose(Object.values(out));
    expect(feed.isDisposed).toBe(false);
    expect(engine.getWeight('w').shape).toEqual([2, 2]);
    expect(engine.run({ x: feed }, { outputs: ['x'] }).x.dataSync()).toEqual(Float32Array.from([1, 2]));
    engine.dispose();
  });
});
