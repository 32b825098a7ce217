/**
 * BootstrapNAS elastic kernel (src/algorithms/nas/elastic-kernel/): NNCF's kernel-size lists; a subnet
 * with smaller kernels runs on the engine exactly as the small convolutions with NNCF's adjusted
 * padding run on onnxruntime (centre crop through the learned K→k matrices, computed independently in
 * JS here); the matrices get gradients; configuration errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ELASTIC_KERNEL_OP, ElasticKernelHandler, elasticKernelSizes } from '../../src/algorithms/nas/elastic-kernel/index.js';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { CompressedModel, refreshNodeInputs, spliceCompressionNodes } from '../../src/compression/index.js';
import { softmaxCrossEntropy } from '../../src/training/index.js';
import { relativeError } from '../autodiff/helpers.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { runOrt, seededFloats } from '../onnx/ort-utils.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('kernel sizes (NNCF generate_kernel_size_list)', () => {
  it.each([
    [7, 3, -1, [7, 5, 3]],
    [5, 2, -1, [5, 3]],
    [3, 1, -1, [3]],
    [7, 1, -1, [7, 5]],
    [7, 3, 2, [7, 5]],
    [3, 0, -1, [3]],
    [1, 0, -1, [1]],
  ])('kernel %i, padding %i, max_num_kernels %i → %j', (k, p, n, expected) => {
    expect(elasticKernelSizes(k, p, n)).toEqual(expected);
  });
  it('an even kernel is refused', () => {
    expect(() => elasticKernelSizes(4, 1)).toThrow(/kernel size must be odd, got 4/);
  });
});

const W1 = [4, 3, 5, 5];
const W2 = [6, 4, 7, 7];

/** x → c1 (5×5, pad 2) → Relu → c2 (7×7, stride 2, pad 3) → c3 (1×1); plus a 3×1 conv (not square: skipped). */
function supernet() {
  const b = new OnnxBuilder({ opset: 13, seed: 5, name: 'ek' });
  b.input('x', [2, 3, 12, 12]);
  const h = b.node('Relu', [b.node('Conv', ['x', b.randomWeight('w1', W1)], { pads: [2, 2, 2, 2] }, { name: 'c1' })]);
  const h2 = b.node('Conv', [h, b.randomWeight('w2', W2)], { pads: [3, 3, 3, 3], strides: [2, 2] }, { name: 'c2' });
  const h3 = b.node('Conv', [h2, b.randomWeight('w3', [4, 6, 1, 1])], {}, { name: 'c3' });
  b.output(b.node('Conv', [h3, b.randomWeight('w4', [2, 4, 3, 1])], { pads: [1, 0, 1, 0] }, { name: 'c4', outputs: ['y'] }), [2, 2, 6, 6]);
  return b;
}

/** Centre crop of [O, I, K, K] to k, each k×k filter multiplied by M (x·Mᵀ, NNCF's F.linear). */
function cropTransform(w: Float32Array, dims: number[], k: number, M: Float32Array | null): Float32Array<ArrayBuffer> {
  const [o, i, K] = dims;
  const s = (K - k) / 2;
  const out = new Float32Array(o * i * k * k);
  for (let a = 0; a < o * i; a++) {
    const crop = new Float64Array(k * k);
    for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) crop[r * k + c] = w[a * K * K + (r + s) * K + (c + s)];
    for (let j = 0; j < k * k; j++) {
      let v = 0;
      for (let t = 0; t < k * k; t++) v += crop[t] * (M ? M[j * k * k + t] : t === j ? 1 : 0);
      out[a * k * k + j] = v;
    }
  }
  return out;
}

describe('elastic kernel subnets', () => {
  it('smaller kernels on the engine = the small convs with adjusted padding on onnxruntime (1e-4); the 1×1 and non-square convs stay', async () => {
    const sb = supernet();
    const g = sb.toGraph();
    const model = new CompressedModel(g, new Engine(g));
    const x = seededFloats(2 * 3 * 12 * 12, 9);
    tf.tidy(() => void model.run({ x: tf.tensor(x, [2, 3, 12, 12]) })); // the engine's first run caches its weights
    const before = tf.memory().numTensors;
    const h = new ElasticKernelHandler(model);
    expect(h.ops.map((o) => o.node)).toEqual(['c1', 'c2']);
    expect(h.searchSpace()).toEqual([[5, 3], [7, 5, 3]]);
    expect(h.skipped).toEqual([{ node: 'c4', reason: 'non-square kernel 3×1' }]);
    expect([...h.ops[1].matrices.keys()]).toEqual(['5to3', '7to5']);
    // learned transforms: identity + seeded noise
    const noisy = (n: number, seed: number): Float32Array<ArrayBuffer> => Float32Array.from(seededFloats(n * n, seed), (v, j) => (j % (n + 1) === 0 ? 1 : 0) + 0.2 * v);
    const m1 = noisy(9, 1);
    const m75 = noisy(25, 2);
    const m53 = noisy(9, 3);
    tf.tidy(() => h.ops[0].matrices.get('5to3')!.assign(tf.tensor2d(m1, [9, 9])));
    tf.tidy(() => h.ops[1].matrices.get('7to5')!.assign(tf.tensor2d(m75, [25, 25])));
    tf.tidy(() => h.ops[1].matrices.get('5to3')!.assign(tf.tensor2d(m53, [9, 9])));
    const weight = (name: string): Float32Array<ArrayBuffer> => {
      const t = model.engine.getWeight(name);
      const v = Float32Array.from(t.dataSync() as Float32Array);
      t.dispose();
      return v;
    };
    for (const [k1, k2] of [[3, 5], [5, 3], [3, 3], [5, 7]]) {
      h.activate([k1, k2]);
      const got = tf.tidy(() => Array.from(model.run({ x: tf.tensor(x, [2, 3, 12, 12]) }).y.dataSync()));
      // reference: the subnet as NNCF runs it — small kernels, padding original − (K − k) / 2
      const w1: Float32Array<ArrayBuffer> = k1 === 5 ? weight('w1') : cropTransform(weight('w1'), W1, 3, m1);
      let w2 = weight('w2');
      if (k2 <= 5) w2 = cropTransform(w2, W2, 5, m75);
      if (k2 === 3) w2 = cropTransform(w2, [6, 4, 5, 5], 3, m53);
      const b = new OnnxBuilder({ opset: 13, name: 'subnet' });
      b.input('x', [2, 3, 12, 12]);
      const r = b.node('Relu', [b.node('Conv', ['x', b.initializer('w1', 'float32', [4, 3, k1, k1], w1)], { pads: Array(4).fill(2 - (5 - k1) / 2) })]);
      const r2 = b.node('Conv', [r, b.initializer('w2', 'float32', [6, 4, k2, k2], w2)], { pads: Array(4).fill(3 - (7 - k2) / 2), strides: [2, 2] });
      const r3 = b.node('Conv', [r2, b.initializer('w3', 'float32', [4, 6, 1, 1], weight('w3'))], {});
      b.output(b.node('Conv', [r3, b.initializer('w4', 'float32', [2, 4, 3, 1], weight('w4'))], { pads: [1, 0, 1, 0] }, { outputs: ['y'] }), [2, 2, 6, 6]);
      const ref = await runOrt(b.toBytes(), { x: { dims: [2, 3, 12, 12], data: x } });
      const want = Array.from(ref.y.data as Float32Array);
      const err = Math.max(...got.map((v, j) => Math.abs(v - want[j])));
      expect(err, `kernels ${k1}, ${k2}`).toBeLessThan(1e-4);
    }
    h.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.engine.dispose();
  }, 120_000);

  it('the transform matrices get the gradient of the loss (finite difference, 1 %)', () => {
    const g = supernet().toGraph();
    const model = new CompressedModel(g, new Engine(g));
    const h = new ElasticKernelHandler(model);
    h.activate([3, 7]);
    const m = h.ops[0].matrices.get('5to3')!;
    const x = tf.tensor(seededFloats(2 * 3 * 12 * 12, 4), [2, 3, 12, 12]);
    const loss = () => tf.tidy(() => tf.sum(tf.square(model.run({ x }, { training: true }).y)) as tf.Scalar);
    const { grads } = tf.variableGrads(loss, [m]);
    const analytic = grads[m.name].dataSync()[10];
    const base = m.clone();
    const eps = 1e-2;
    const at = (delta: number) => {
      m.assign(tf.tidy(() => tf.add(base, tf.scatterND([[1, 1]], [delta], [9, 9]))));
      return loss().dataSync()[0];
    };
    const fd = (at(eps) - at(-eps)) / (2 * eps);
    expect(Math.abs(analytic)).toBeGreaterThan(1e-3);
    expect(Math.abs(analytic - fd) / Math.abs(fd)).toBeLessThan(0.01);
    tf.dispose([x, base, ...Object.values(grads)]);
    h.dispose();
    model.engine.dispose();
  }, 120_000);

  it('errors: a size not in the list, a configuration of the wrong length', () => {
    const g = supernet().toGraph();
    const model = new CompressedModel(g, new Engine(g));
    const h = new ElasticKernelHandler(model);
    expect(() => h.activate([3])).toThrow(/configuration has 1 sizes for 2 elastic convolutions/);
    expect(() => h.activate([1, 7])).toThrow(/elastic kernel of c1: kernel size 1 is not one of 5, 3/);
    expect(h.minimumConfig()).toEqual([3, 3]);
    expect(h.maximumConfig()).toEqual([5, 7]);
    h.dispose();
    model.engine.dispose();
  });
});

describe('elastic kernel node form on ONNX Runtime', () => {
  /** x → c1 (5×5, pad 2) → Relu → c2 (7×7, stride 2, pad 3) → GAP → Flatten → fc (4 classes). */
  function classifier() {
    const b = new OnnxBuilder({ opset: 13, seed: 8, name: 'ek_cls' });
    b.input('x', [2, 3, 10, 10]);
    const h = b.node('Relu', [b.node('Conv', ['x', b.randomWeight('w1', [4, 3, 5, 5]), b.uniform('b1', [4], -0.2, 0.2)], { pads: [2, 2, 2, 2] }, { name: 'c1' })]);
    const h2 = b.node('Conv', [h, b.randomWeight('w2', [6, 4, 7, 7])], { pads: [3, 3, 3, 3], strides: [2, 2] }, { name: 'c2' });
    const f = b.node('Flatten', [b.node('GlobalAveragePool', [h2])], { axis: 1 });
    b.output(b.node('Gemm', [f, b.randomWeight('fc', [4, 6])], { transB: 1 }, { name: 'fc', outputs: ['logits'] }), [2, 4]);
    return b.toGraph();
  }

  it('one compiled graph, kernel sizes switched by the fed flags: loss and gradients of weights and transform matrices = the engine (1e-4)', async () => {
    const g = classifier();
    const model = new CompressedModel(g, new Engine(g));
    const h = new ElasticKernelHandler(model);
    expect(h.searchSpace()).toEqual([[5, 3], [7, 5, 3]]);
    for (const op of h.ops) for (const m of op.matrices.values()) tf.tidy(() => m.assign(tf.add(m, tf.mul(0.15, tf.tensor(seededFloats(m.size, 6), m.shape)))));
    const spliced = spliceCompressionNodes(model.graph, model.commands());
    expect(spliced.nodes.map((n) => n.opType)).toEqual([ELASTIC_KERNEL_OP, ELASTIC_KERNEL_OP]);
    const step = await OrtTrainerStep.create(compileTrainingGraph(spliced.graph, spliced.compileOptions), { threads: 1 });
    const data = seededFloats(2 * 3 * 10 * 10, 12);
    const labels = [0, 3];
    const x = tf.tensor(data, [2, 3, 10, 10]);
    const y = tf.tensor1d(labels, 'int32');
    const before = tf.memory().numTensors;
    const matrixNames = new Map<tf.Variable, string>();
    for (const n of spliced.feeds.values()) if (n.trainable) matrixNames.set(n.value as tf.Variable, n.name);
    expect(matrixNames.size).toBe(3);
    const losses = new Set<string>();
    for (const config of [[5, 7], [3, 5], [3, 3], [5, 3]]) {
      h.activate(config);
      const vars = [...model.trainableVariables(), ...matrixNames.keys()];
      const { value, grads } = tf.variableGrads(() => softmaxCrossEntropy(model.run({ x }, { training: true }).logits, y), vars);
      refreshNodeInputs(spliced.feeds, step);
      const r = await step.step({ data, shape: [2, 3, 10, 10] }, labels);
      expect(Math.abs(r.loss - value.dataSync()[0]), `kernels ${config}`).toBeLessThan(1e-5);
      losses.add(r.loss.toFixed(5));
      const weights = new Map(model.engine.weights().map((w) => [w.variable.name, w]));
      for (const v of vars) {
        const w = weights.get(v.name);
        const name = w ? w.name : matrixNames.get(v as tf.Variable)!;
        // a transform the active size does not use gets no engine gradient: zeros
        const eg = grads[v.name] ?? tf.zerosLike(v);
        const onnx = w?.perm ? tf.transpose(eg, w.perm.map((_, i) => w.perm!.indexOf(i))) : eg.clone();
        if (!grads[v.name]) eg.dispose();
        const got = r.gradients.get(name)!;
        expect(got, name).toBeDefined();
        expect(relativeError(got, onnx.dataSync() as Float32Array), `${name} at kernels ${config}`).toBeLessThan(1e-4);
        onnx.dispose();
      }
      // a transform below the active size gets no gradient (e.g. 5to3 of c2 while c2 runs 7 or 5)
      const c2small = r.gradients.get(matrixNames.get(h.ops[1].matrices.get('5to3')!)!)!;
      if (config[1] !== 3) expect(Math.max(...Array.from(c2small, Math.abs))).toBe(0);
      else expect(Math.max(...Array.from(c2small, Math.abs))).toBeGreaterThan(1e-6);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(losses.size).toBe(4);
    expect(tf.memory().numTensors).toBe(before);
    await step.release();
    tf.dispose([x, y]);
    h.dispose();
    model.engine.dispose();
  }, 120_000);
});
