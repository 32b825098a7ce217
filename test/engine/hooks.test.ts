import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, EngineError, initBackend } from '../../src/engine/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

/** x[1,2,4,4] → Conv(3x3, 3 out, pad 1) → Relu → GAP → Flatten → y[1,3]. */
function convNet() {
  const b = new OnnxBuilder({ seed: 3 });
  const x = b.input('x', [1, 2, 4, 4]);
  const c = b.node('Conv', [x, b.randomWeight('w', [3, 2, 3, 3]), b.uniform('bias', [3], -0.1, 0.1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'conv', outputs: ['c'] });
  const r = b.node('Relu', [c], {}, { name: 'relu', outputs: ['r'] });
  const p = b.node('GlobalAveragePool', [r], {}, { name: 'gap', outputs: ['p'] });
  b.output(b.node('Flatten', [p], {}, { name: 'flat', outputs: ['y'] }));
  return b.toGraph();
}

describe('hooks and intermediate outputs', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  const x = () => tf.tensor(Array.from({ length: 32 }, (_, i) => Math.sin(i)), [1, 2, 4, 4]);

  it('returns any intermediate tensor in ONNX layout', () => {
    const engine = new Engine(convNet());
    const out = engine.run({ x: x() }, { outputs: ['c', 'r', 'y'] });
    expect(out.c.shape).toEqual([1, 3, 4, 4]);
    const relu = tf.relu(out.c).dataSync();
    expect(Array.from(out.r.dataSync())).toEqual(Array.from(relu));
    const gap = tf.mean(out.r, [2, 3]).dataSync();
    Array.from(out.y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(gap[i], 6));
    engine.dispose();
  });

  it('a tensor hook changes downstream values, sees channel axis, and can be removed', () => {
    const engine = new Engine(convNet());
    const input = x();
    const base = engine.run({ x: input }).y.dataSync();
    const seen: { axis: number; shape: number[] }[] = [];
    // Zero channel 1 of the conv output (a pruning-mask-like hook), layout-aware.
    const handle = engine.insertHook({
      tensor: 'c',
      fn: (t, info) => {
        seen.push({ axis: info.axis(1), shape: info.onnxShape });
        const mask = [1, 0, 1];
        const shape = t.shape.map((d, i) => (i === info.axis(1) ? 3 : 1));
        return tf.mul(t, tf.tensor(mask, shape));
      },
    });
    const hooked = engine.run({ x: input }).y.dataSync();
    expect(seen[0].shape).toEqual([1, 3, 4, 4]);
    expect(seen[0].axis).toBe(3); // channels-last inside the engine
    expect(hooked[1]).toBe(0);
    expect(hooked[0]).toBeCloseTo(base[0], 6);
    handle.remove();
    expect(engine.run({ x: input }).y.dataSync()[1]).toBeCloseTo(base[1], 6);
    engine.dispose();
  });

  it("an 'onnx'-layout hook gets NCHW", () => {
    const engine = new Engine(convNet());
    let shape: number[] = [];
    engine.insertHook({ tensor: 'c', layout: 'onnx', fn: (t) => ((shape = t.shape), t) });
    engine.run({ x: x() });
    expect(shape).toEqual([1, 3, 4, 4]);
    engine.dispose();
  });

  it('a weight hook applies to the weight and gradients flow through it', () => {
    const engine = new Engine(convNet());
    const input = x();
    let info: { perm: number[] | null; axis0: number } | undefined;
    // Scale the weight by 2 (a quantizer-like transform).
    engine.insertHook({ weight: 'w', fn: (w, i) => ((info = { perm: i.perm, axis0: i.axis(0) }), tf.mul(w, 2)) });
    expect(info).toBeUndefined();
    const w = engine.trainableVariables().find((v) => v.shape.join() === '3,3,2,3')!;
    const { grads } = tf.variableGrads(() => tf.sum(engine.run({ x: input }, { outputs: ['c'] }).c) as tf.Scalar, [w]);
    expect(info!.perm).toEqual([2, 3, 1, 0]);
    expect(info!.axis0).toBe(3);
    // d sum(conv(x, 2w)) / dw = 2 * d sum(conv(x, w)) / dw
    const plain = new Engine(convNet());
    const w2 = plain.trainableVariables().find((v) => v.shape.join() === '3,3,2,3')!;
    const ref = tf.variableGrads(() => tf.sum(plain.run({ x: input }, { outputs: ['c'] }).c) as tf.Scalar, [w2]).grads;
    const a = grads[w.name].dataSync();
    const r = ref[w2.name].dataSync();
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(2 * r[i], 4);
    engine.dispose();
    plain.dispose();
  });

  it('hooks on unknown names fail with a suggestion', () => {
    const engine = new Engine(convNet());
    expect(() => engine.insertHook({ tensor: 'cc', fn: (t) => t })).toThrow(/no tensor "cc".*did you mean "c"/);
    expect(() => engine.insertHook({ weight: 'ww', fn: (t) => t })).toThrow(/did you mean "w"/);
    expect(() => engine.insertHook({ weight: 'w', fn: (t) => tf.reshape(t, [-1]) }) && engine.run({ x: x() })).toThrow(EngineError);
    engine.dispose();
  });

  it('weights round-trip in ONNX layout', () => {
    const g = convNet();
    const engine = new Engine(g);
    const w = engine.getWeight('w');
    expect(w.shape).toEqual([3, 2, 3, 3]);
    expect(Array.from(w.dataSync())).toEqual(Array.from(g.initializers.get('w')!.values as Float32Array));
    engine.setWeight('w', tf.mul(w, 0));
    // With a zero kernel the conv output is its bias, channel by channel.
    const c = engine.run({ x: x() }, { outputs: ['c'] }).c.dataSync();
    const bias = g.initializers.get('bias')!.values as Float32Array;
    for (let i = 0; i < c.length; i++) expect(c[i]).toBeCloseTo(bias[Math.floor(i / 16)], 6);
    engine.syncToGraph();
    expect(Array.from(g.initializers.get('w')!.values as Float32Array).every((v) => v === 0)).toBe(true);
    engine.dispose();
  });
});

describe('per-consumer hooks', () => {
  it('a consumer hook changes only what that node reads', async () => {
    await initBackend('wasm');
    const b = new OnnxBuilder({ seed: 1 });
    const x = b.input('x', [1, 4]);
    b.output(b.node('Relu', [x], {}, { name: 'r1', outputs: ['a'] }));
    b.output(b.node('Neg', [x], {}, { name: 'n1', outputs: ['n'] }));
    const engine = new Engine(b.toGraph());
    engine.insertHook({ tensor: 'x', consumer: 'n1', fn: (t) => tf.mul(t, 10) });
    const out = engine.run({ x: tf.tensor([[1, -2, 3, -4]]) });
    expect(Array.from(out.a.dataSync())).toEqual([1, 0, 3, 0]);
    expect(Array.from(out.n.dataSync())).toEqual([-10, 20, -30, 40]);
    expect(() => engine.insertHook({ tensor: 'x', consumer: 'r2', fn: (t) => t })).toThrow(/no node "r2".*"r1"/);
    expect(() => engine.insertHook({ tensor: 'a', consumer: 'n1', fn: (t) => t })).toThrow(/does not read "a"/);
    engine.dispose();
  });
});

describe('which constants are trainable', () => {
  it('decomposed LayerNorm gamma/beta and MatMul bias are weights; input normalisation constants are not; override works', async () => {
    await initBackend('wasm');
    const { transformerEncoder } = await import('../helpers/models.js');
    const g = transformerEncoder({ decomposedLayerNorm: true, opset: 13 }).graph;
    const engine = new Engine(g);
    const names = engine.weights().map((w) => w.name);
    const lnConsts = g.nodes.filter((n) => n.opType === 'Mul' && n.inputs.some((i) => g.producer(i)?.opType === 'Div')).flatMap((n) => n.inputs.filter((i) => g.isConstant(i)));
    expect(lnConsts.length).toBeGreaterThan(0);
    for (const c of lnConsts) expect(names).toContain(c);
    engine.dispose();

    const b = new OnnxBuilder({ seed: 1 });
    const x = b.node('Sub', [b.input('x', [1, 3, 2, 2]), b.uniform('mean', [1, 3, 1, 1], 0, 1)]);
    b.output(b.node('Conv', [x, b.randomWeight('w', [2, 3, 1, 1])]));
    const e2 = new Engine(b.toGraph());
    expect(e2.weights().map((w) => w.name)).toEqual(['w']);
    e2.dispose();
    const e3 = new Engine(b.toGraph(), { trainable: (n) => (n === 'mean' ? true : n === 'w' ? false : undefined) });
    expect(e3.weights().map((w) => w.name)).toEqual(['mean']);
    e3.dispose();
  });
});

describe('runNative', () => {
  it('returns intermediates in the engine layout with their perm, equal to run() after transposing back', async () => {
    await initBackend('wasm');
    const engine = new Engine(convNet());
    const x = tf.tensor(Array.from({ length: 32 }, (_, i) => Math.cos(i)), [1, 2, 4, 4]);
    const before = tf.memory().numTensors;
    const nat = engine.runNative({ x }, { outputs: ['r', 'y'] });
    expect(nat.r.perm).toEqual([0, 2, 3, 1]);
    expect(nat.r.tensor.shape).toEqual([1, 4, 4, 3]);
    expect(nat.y.perm).toBeNull();
    const ref = engine.run({ x }, { outputs: ['r'] }).r;
    expect(Array.from(tf.transpose(nat.r.tensor, [0, 3, 1, 2]).dataSync())).toEqual(Array.from(ref.dataSync()));
    tf.dispose([nat.r.tensor, nat.y.tensor, ref]);
    expect(tf.memory().numTensors).toBe(before + 1); // the transpose made in this test
    engine.dispose();
  });
});
