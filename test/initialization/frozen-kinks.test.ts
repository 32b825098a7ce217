/**
 * Frozen activation patterns (src/initialization/hessian/frozen-kinks.ts): after a record pass, the
 * model computes the linear piece it was on — ReLU keeps its on/off pattern, MaxPool keeps each window's
 * winner — even when the input moves across a kink; without a record the model is unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompressedModel } from '../../src/compression/index.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { FrozenKinks } from '../../src/initialization/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** x [1,1,2,4] → Relu → MaxPool 2×2 (stride 2) → y [1,1,1,2]; also Relu's output as an output. */
function model(): CompressedModel {
  const b = new OnnxBuilder({ opset: 13, name: 'kinks' });
  const x = b.input('x', [1, 1, 2, 4]);
  const r = b.node('Relu', [x], {}, { name: 'relu/Relu', outputs: ['r'] });
  b.node('MaxPool', [r], { kernel_shape: [2, 2], strides: [2, 2] }, { name: 'pool/MaxPool', outputs: ['y'] });
  b.output('y', [1, 1, 1, 2]);
  b.output('r', [1, 1, 2, 4]);
  const g = b.toGraph();
  return new CompressedModel(g, new Engine(g));
}

const run = (m: CompressedModel, values: number[]) =>
  tf.tidy(() => {
    const out = m.run({ x: tf.tensor(values, [1, 1, 2, 4]) }, { outputs: ['y', 'r'] });
    return { y: Array.from(out.y.dataSync()), r: Array.from(out.r.dataSync()) };
  });

describe('frozen kinks', () => {
  it('ReLU keeps its pattern and MaxPool its winners across kinks; the hooks go away with dispose', () => {
    const m = model();
    // window 1: columns 0-1, winner 0.5 (row 0); window 2: columns 2-3, winner 2 (row 1); −1 is off
    const base = [0.5, -1, 0.3, 0.1, 0.2, 0.4, 0.2, 2];
    const k = new FrozenKinks(m);
    expect(k.nodes).toEqual(['relu/Relu', 'pool/MaxPool']);
    expect(run(m, base)).toEqual(run(model(), base)); // nothing recorded: unchanged
    const before = tf.memory().numTensors;
    const feed = tf.tensor(base, [1, 1, 2, 4]);
    k.record(() => tf.dispose(Object.values(m.run({ x: feed }))));
    feed.dispose();
    expect(run(m, base).y).toEqual([0.5, 2].map(Math.fround)); // at the recorded point: the same function
    // move across the kinks: −1 → 0.5 (ReLU was off: stays 0); 0.4 → 0.9 beats 0.5 (window 1 keeps 0.5's
    // element, now 0.5 − 0.25 = 0.25); 0.3 → −0.2 (was on: passes −0.2)
    const moved = [0.25, 0.5, -0.2, 0.1, 0.2, 0.9, 0.2, 2];
    const got = run(m, moved);
    expect(got.r).toEqual([0.25, 0, -0.2, 0.1, 0.2, 0.9, 0.2, 2].map(Math.fround));
    expect(got.y).toEqual([0.25, 2].map(Math.fround));
    k.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(run(m, moved)).toEqual(run(model(), moved)); // hooks removed
    m.engine.dispose();
  });
  it("an overlapping, padded MaxPool (ResNet's 3×3 / 2 stem) keeps each window's recorded winner", () => {
    const b = new OnnxBuilder({ opset: 13, name: 'stem' });
    b.input('x', [1, 1, 1, 5]);
    b.node('MaxPool', ['x'], { kernel_shape: [1, 3], strides: [1, 2], pads: [0, 1, 0, 1] }, { name: 'stem/MaxPool', outputs: ['y'] });
    b.output('y', [1, 1, 1, 3]);
    const g = b.toGraph();
    const m = new CompressedModel(g, new Engine(g));
    const k = new FrozenKinks(m);
    expect(k.nodes).toEqual(['stem/MaxPool']);
    const y = (values: number[]) => tf.tidy(() => Array.from(m.run({ x: tf.tensor(values, [1, 1, 1, 5]) }).y.dataSync()));
    // windows (pad, 0, 1), (1, 2, 3), (3, 4, pad): element 1 wins the first, element 3 (5) the other two
    const base = [1, 2, 0, 5, 4];
    expect(y(base)).toEqual([2, 5, 5]);
    const before = tf.memory().numTensors;
    k.record(() => tf.tidy(() => void m.run({ x: tf.tensor(base, [1, 1, 1, 5]) })));
    // element 4 now beats element 3, element 0 beats element 1: the frozen pool still reads elements 1, 3, 3
    expect(y([3, 2, 0, 1, 4])).toEqual([2, 1, 1]);
    k.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(y([3, 2, 0, 1, 4])).toEqual([3, 2, 4]);
    m.engine.dispose();
  });
});
