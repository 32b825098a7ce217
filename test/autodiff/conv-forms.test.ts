/**
 * The Conv formulations (rules/conv.ts): ORT's Conv with Conv/ConvTranspose/per-offset backward, and
 * the Gather-im2col + Gemm form in both layouts (batch-last and NHWC), each against central finite
 * differences of the float64 interpreter (≤ 1e-4 norm-wise), on the conv rule models plus geometries
 * the index constants must get right: asymmetric pads, rectangular kernels, unequal strides, a stride
 * that skips input rows, dilation with stride, and a Conv whose input needs no gradient.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { convFormulation } from '../../src/autodiff/rules/conv.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { lossF64, type T64 } from './f64-reference.js';
import { ortGradients, relativeError, seededBatch } from './helpers.js';
import { ruleModels } from './rule-models.js';
import type { Graph } from '../../src/graph/graph.js';

const H = 1e-5;
const FORMS = {
  'ORT Conv': { gemmMaxOutPixels: 0, nhwcMinChannels: 16 },
  'Gemm, batch-last': { gemmMaxOutPixels: Infinity, nhwcMinChannels: Infinity },
  'Gemm, NHWC': { gemmMaxOutPixels: Infinity, nhwcMinChannels: 0 },
};

function geometryModel(name: string, c: number, h: number, w: number, attrs: Record<string, number[]>, kernel: [number, number], twoConvs: boolean): { name: string; graph: Graph } {
  const b = new OnnxBuilder({ opset: 13, seed: 5, name });
  const x = b.input('x', [2, c, h, w]);
  let y = b.node('Conv', [x, b.randomWeight('a.weight', [3, c, ...kernel]), b.uniform('a.bias', [3], -0.2, 0.2)], { kernel_shape: kernel, ...attrs }, { name: 'a/Conv' });
  if (twoConvs) y = b.node('Conv', [b.node('Relu', [y]), b.randomWeight('b.weight', [4, 3, ...kernel])], { kernel_shape: kernel, ...attrs }, { name: 'b/Conv' });
  const shape = b.toGraph().tensor(y)?.shape as number[];
  const features = shape.slice(1).reduce((p, q) => p * q, 1);
  const flat = b.node('Flatten', [y], { axis: 1 });
  const logits = b.node('Gemm', [flat, b.randomWeight('fc.weight', [5, features]), b.uniform('fc.bias', [5], -0.1, 0.1)], { transB: 1 }, { outputs: ['logits'] });
  b.output(logits, [2, 5]);
  return { name, graph: b.toGraph() };
}

const models = [
  ...ruleModels().filter((m) => /^conv|shared-weight/.test(m.name)),
  geometryModel('asymmetric pads, 2×3 kernel, strides 2×1', 2, 7, 6, { pads: [1, 0, 0, 2], strides: [2, 1] }, [2, 3], true),
  geometryModel('stride 3 skips rows, 2×2 kernel', 2, 8, 7, { pads: [0, 0, 0, 0], strides: [3, 3] }, [2, 2], false),
  geometryModel('dilation 2 with stride 2', 3, 9, 9, { pads: [2, 1, 2, 1], strides: [2, 2], dilations: [2, 2] }, [3, 3], true),
];

afterEach(() => Object.assign(convFormulation, FORMS['ORT Conv'], { gemmMaxOutPixels: 64 }));

describe('Conv formulations vs float64 finite differences', () => {
  for (const model of models) {
    it(model.name, async () => {
      const { graph } = model;
      const batch = seededBatch(graph, 3, 5);
      const values = new Map<string, T64>([['x', { shape: batch.shape, data: Float64Array.from(batch.data) }]]);
      for (const t of graph.initializers.values())
        if (t.dtype === 'float32') values.set(t.name, { shape: t.dims, data: Float64Array.from(t.values as Float32Array) });
      const fd = new Map<string, Float64Array>();
      for (const [form, settings] of Object.entries(FORMS)) {
        Object.assign(convFormulation, settings);
        const r = await ortGradients(graph, batch);
        for (const p of r.compiled.parameters) {
          if (!fd.has(p.name)) {
            const theta = values.get(p.name)!.data;
            const g = new Float64Array(theta.length);
            for (let i = 0; i < theta.length; i++) {
              const keep = theta[i];
              theta[i] = keep + H;
              const up = lossF64(graph, values, batch.labels);
              theta[i] = keep - H;
              const down = lossF64(graph, values, batch.labels);
              theta[i] = keep;
              g[i] = (up - down) / (2 * H);
            }
            fd.set(p.name, g);
          }
          expect(relativeError(r.gradients.get(p.name)!, fd.get(p.name)!), `${form}: ${p.name}`).toBeLessThan(1e-4);
        }
        expect(r.compiled.parameters.length).toBeGreaterThan(1);
      }
    });
  }

  it('the Gemm form really replaces the Conv nodes (and ORT Conv keeps them)', async () => {
    const { graph } = models[0];
    const { compileTrainingGraph } = await import('../../src/autodiff/index.js');
    Object.assign(convFormulation, FORMS['Gemm, NHWC']);
    const gemm = compileTrainingGraph(graph).graph.nodes.map((n) => n.opType);
    Object.assign(convFormulation, FORMS['ORT Conv']);
    const conv = compileTrainingGraph(graph).graph.nodes.map((n) => n.opType);
    expect(gemm.filter((t) => t === 'Conv' || t === 'ConvTranspose')).toEqual([]);
    expect(gemm.filter((t) => t === 'Gather').length).toBe(1); // the forward's im2col: x is the data input, no dX
    expect(conv.filter((t) => t === 'Conv').length).toBeGreaterThan(0);
  });
});
