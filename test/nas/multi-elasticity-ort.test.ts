/**
 * Progressive shrinking's inner loop on ONNX Runtime: the supernet with elastic width (Mask nodes),
 * kernel (ElasticKernel nodes) and depth (skip nodes) is compiled to one training graph; each step
 * samples a random subnet through the multi-elasticity handler, feeds the new masks/flags and runs —
 * no recompile — with the engine's loss and gradients (weights and kernel transforms) for that subnet.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ElasticDepthHandler, ElasticKernelHandler, ElasticWidthHandler, MultiElasticityHandler } from '../../src/algorithms/nas/index.js';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { CompressedModel, refreshNodeInputs, spliceCompressionNodes } from '../../src/compression/index.js';
import { Random } from '../../src/data/random.js';
import { Engine, initBackend } from '../../src/engine/index.js';
import { softmaxCrossEntropy } from '../../src/training/index.js';
import { relativeError } from '../autodiff/helpers.js';
import { seededFloats } from '../onnx/ort-utils.js';
import { bigKernels } from './nas-models.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('width + kernel + depth on one compiled ORT training graph', () => {
  it('5 random subnets, one per step: loss and gradients = the engine (1e-4)', async () => {
    const g = bigKernels();
    const m = new CompressedModel(g, new Engine(g));
    const width = new ElasticWidthHandler(m, { min_width: 4, width_step: 4 });
    const kernel = new ElasticKernelHandler(m);
    const depth = new ElasticDepthHandler(m, { skippedBlocks: [['stem/relu', 'out/relu']] });
    const h = new MultiElasticityHandler(m, { width, kernel, depth });
    for (const op of kernel.ops) for (const mat of op.matrices.values()) tf.tidy(() => mat.assign(tf.add(mat, tf.mul(0.1, tf.tensor(seededFloats(mat.size, 4), mat.shape)))));
    width.reorganizeWeights();
    const spliced = spliceCompressionNodes(m.graph, m.commands());
    const step = await OrtTrainerStep.create(compileTrainingGraph(spliced.graph, spliced.compileOptions), { threads: 1 });
    const data = seededFloats(2 * 3 * 10 * 10, 5);
    const labels = [2, 0];
    const x = tf.tensor(data, [2, 3, 10, 10]);
    const y = tf.tensor1d(labels, 'int32');
    const matrices = new Map<tf.Variable, string>();
    for (const n of spliced.feeds.values()) if (n.trainable) matrices.set(n.value as tf.Variable, n.name);
    const weights = new Map(m.engine.weights().map((w) => [w.variable.name, w]));
    const before = tf.memory().numTensors;
    const rng = new Random(11);
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const config = h.sampleRandom(rng);
      seen.add(JSON.stringify(config));
      const vars = [...m.trainableVariables(), ...matrices.keys()];
      const { value, grads } = tf.variableGrads(() => softmaxCrossEntropy(m.run({ input: x }, { training: true }).logits, y), vars);
      refreshNodeInputs(spliced.feeds, step);
      const r = await step.step({ data, shape: [2, 3, 10, 10] }, labels);
      const at = JSON.stringify(config);
      expect(Math.abs(r.loss - value.dataSync()[0]), at).toBeLessThan(1e-5);
      for (const v of vars) {
        const w = weights.get(v.name);
        const name = w ? w.name : matrices.get(v as tf.Variable)!;
        const got = r.gradients.get(name);
        // a parameter off the loss path in this subnet (a skipped block): no gradient on either side
        const eg = grads[v.name] ?? tf.zerosLike(v);
        const onnx = w?.perm ? tf.transpose(eg, w.perm.map((_, j) => w.perm!.indexOf(j))) : eg.clone();
        if (!grads[v.name]) eg.dispose();
        const want = onnx.dataSync() as Float32Array;
        onnx.dispose();
        if (!got) {
          expect(Math.max(0, ...Array.from(want, Math.abs)), `${name} at ${at}`).toBe(0);
          continue;
        }
        expect(relativeError(got, want), `${name} at ${at}`).toBeLessThan(1e-4);
      }
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(seen.size).toBe(5);
    expect([...seen].some((c) => JSON.parse(c).depth.length === 1)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    await step.release();
    tf.dispose([x, y]);
    h.dispose();
    m.engine.dispose();
  }, 120_000);
});
