/**
 * OrtTrainerStep: one compiled graph with a symbolic batch serves any batch size (BN counts and the
 * loss's 1/B are read at run time) and matches the engine at each; running statistics follow ONNX
 * momentum semantics step after step; two intra-op threads give the same numbers as one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { initBackend } from '../../src/engine/index.js';
import { resnetStyle } from '../helpers/models.js';
import { engineGradients } from './engine-reference.js';
import { relativeError, seededBatch } from './helpers.js';

describe('OrtTrainerStep', () => {
  beforeAll(async () => {
    expect(await initBackend('wasm')).toBe('wasm');
  });

  it('a symbolic-batch graph runs batches of 2 and 6, each equal to the engine within 1e-4', async () => {
    const graph = resnetStyle({ size: 8 }).graph;
    expect(graph.inputs[0].shape![0]).toBe('N');
    const step = await OrtTrainerStep.create(compileTrainingGraph(graph), { threads: 1 });
    for (const batchSize of [2, 6]) {
      const probe = seededBatch(resnetStyle({ size: 8, batch: batchSize }).graph, 21 + batchSize, 10);
      const ref = engineGradients(resnetStyle({ size: 8 }).graph, probe);
      const r = await step.step({ data: probe.data, shape: probe.shape }, probe.labels);
      expect(Math.abs(r.loss - ref.loss)).toBeLessThan(1e-5);
      for (const [name, g] of r.gradients)
        expect(relativeError(g, ref.gradients.get(name)!), `batch ${batchSize}: ${name}`).toBeLessThan(1e-4);
    }
    await step.release();
  });

  it('running statistics: running·0.9 + batch·0.1 after each step (first BN, by hand)', async () => {
    const graph = resnetStyle({ size: 8, batch: 4 }).graph;
    const step = await OrtTrainerStep.create(compileTrainingGraph(graph), { threads: 1 });
    // The stem conv has no bias; its output for channel c is a linear function of x: compute the batch
    // mean of the stem conv by hand from the weights and compare the running-mean update.
    const w = graph.initializers.get('stem.weight')!.values as Float32Array;
    let expected = Float64Array.from(graph.initializers.get('stem.bn.mean')!.values as Float32Array);
    for (const seed of [1, 2]) {
      const b = seededBatch(graph, seed, 10);
      const [n, c, h, wd] = b.shape;
      const mean = new Float64Array(16);
      for (let o = 0; o < 16; o++) {
        let s = 0;
        for (let i = 0; i < n; i++)
          for (let y = 0; y < h; y++)
            for (let x = 0; x < wd; x++)
              for (let ci = 0; ci < c; ci++)
                for (let u = 0; u < 3; u++)
                  for (let v = 0; v < 3; v++) {
                    const yy = y + u - 1,
                      xx = x + v - 1;
                    if (yy >= 0 && yy < h && xx >= 0 && xx < wd)
                      s += b.data[((i * c + ci) * h + yy) * wd + xx] * w[((o * c + ci) * 3 + u) * 3 + v];
                  }
        mean[o] = s / (n * h * wd);
      }
      expected = expected.map((m, o) => m * 0.9 + mean[o] * 0.1);
      await step.step({ data: b.data, shape: b.shape }, b.labels);
      expect(relativeError(step.state.get('stem.bn.mean')!, expected)).toBeLessThan(1e-5);
    }
    await step.release();
  });

  it('threads: 2 gives the loss and gradients of threads: 1 within 1e-5', async () => {
    const graph = resnetStyle({ size: 8, batch: 4 }).graph;
    const batch = seededBatch(graph, 3, 10);
    const results = [];
    for (const threads of [1, 2]) {
      const step = await OrtTrainerStep.create(compileTrainingGraph(graph), { threads });
      results.push(await step.step({ data: batch.data, shape: batch.shape }, batch.labels));
      await step.release();
    }
    expect(Math.abs(results[0].loss - results[1].loss)).toBeLessThan(1e-5);
    for (const [name, g] of results[0].gradients)
      expect(relativeError(results[1].gradients.get(name)!, g), name).toBeLessThan(1e-5);
  });
});
