/**
 * The Conv formulations (rules/conv.ts): ORT's Conv with Conv/ConvTranspose/per-offset backward, and
 * the Gather-im2col + Gemm form (strided dX by col2im, and by im2col of the zero-inserted dy), each against central finite
 * differences of the float64 interpreter (≤ 1e-4 norm-wise), on the conv rule models plus geometries
 * the index constants must get right: asymmetric pads, rectangular kernels, unequal strides, a stride
 * that skips input rows, dilation with stride, and a Conv whose input needs no gradient. Then the rule
 * gaps of real exports: grouped convs, 1-D convs, MaxPool with pads and ceil_mode.
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
  'ORT Conv': { gemmMaxOutPixels: 0, stridedCol2im: true },
  'Gather-im2col + Gemm': { gemmMaxOutPixels: Infinity, stridedCol2im: true },
  'Gather-im2col + Gemm, strided dX by im2col': { gemmMaxOutPixels: Infinity, stridedCol2im: false },
};

function geometryModel(
  name: string,
  c: number,
  h: number,
  w: number,
  attrs: Record<string, number[]>,
  kernel: [number, number],
  twoConvs: boolean,
): { name: string; graph: Graph } {
  const b = new OnnxBuilder({ opset: 13, seed: 5, name });
  const x = b.input('x', [2, c, h, w]);
  let y = b.node(
    'Conv',
    [x, b.randomWeight('a.weight', [3, c, ...kernel]), b.uniform('a.bias', [3], -0.2, 0.2)],
    { kernel_shape: kernel, ...attrs },
    { name: 'a/Conv' },
  );
  if (twoConvs)
    y = b.node(
      'Conv',
      [b.node('Relu', [y]), b.randomWeight('b.weight', [4, 3, ...kernel])],
      { kernel_shape: kernel, ...attrs },
      { name: 'b/Conv' },
    );
  const shape = b.toGraph().tensor(y)?.shape as number[];
  const features = shape.slice(1).reduce((p, q) => p * q, 1);
  const flat = b.node('Flatten', [y], { axis: 1 });
  const logits = b.node(
    'Gemm',
    [flat, b.randomWeight('fc.weight', [5, features]), b.uniform('fc.bias', [5], -0.1, 0.1)],
    { transB: 1 },
    { outputs: ['logits'] },
  );
  b.output(logits, [2, 5]);
  return { name, graph: b.toGraph() };
}

const models = [
  ...ruleModels().filter((m) => /^conv|shared-weight/.test(m.name)),
  geometryModel(
    'asymmetric pads, 2×3 kernel, strides 2×1',
    2,
    7,
    6,
    { pads: [1, 0, 0, 2], strides: [2, 1] },
    [2, 3],
    true,
  ),
  geometryModel(
    'stride 3 skips rows, 2×2 kernel',
    2,
    8,
    7,
    { pads: [0, 0, 0, 0], strides: [3, 3] },
    [2, 2],
    false,
  ),
  geometryModel(
    'dilation 2 with stride 2',
    3,
    9,
    9,
    { pads: [2, 1, 2, 1], strides: [2, 2], dilations: [2, 2] },
    [3, 3],
    true,
  ),
];

/** Models of the rule gaps ResNet/zoo exports hit: grouped (not depthwise) convs, 1-D convs, MaxPool with pads and ceil_mode. */
function gapModel(
  name: string,
  input: number[],
  body: (b: OnnxBuilder, x: string) => string,
): { name: string; graph: Graph } {
  const b = new OnnxBuilder({ opset: 13, seed: 9, name });
  const y = body(b, b.input('x', input));
  const shape = b.toGraph().tensor(y)?.shape as number[];
  const flat = b.node('Flatten', [y], { axis: 1 });
  const features = shape.slice(1).reduce((p, q) => p * q, 1);
  const logits = b.node(
    'Gemm',
    [flat, b.randomWeight('fc.weight', [5, features]), b.uniform('fc.bias', [5], -0.1, 0.1)],
    { transB: 1 },
    { outputs: ['logits'] },
  );
  b.output(logits, [2, 5]);
  return { name, graph: b.toGraph() };
}

const gapModels = [
  gapModel('grouped conv, group 2 (stride 1 and stride 2)', [2, 4, 7, 7], (b, x) => {
    const a = b.node(
      'Conv',
      [x, b.randomWeight('g1.weight', [6, 2, 3, 3]), b.uniform('g1.bias', [6], -0.2, 0.2)],
      { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 2 },
    );
    return b.node('Conv', [b.node('Relu', [a]), b.randomWeight('g2.weight', [4, 3, 3, 3])], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
      strides: [2, 2],
      group: 2,
    });
  }),
  gapModel('1-D conv: pads 1/2, stride 2, then dilation 2', [2, 3, 11], (b, x) => {
    const a = b.node(
      'Conv',
      [x, b.randomWeight('c1.weight', [4, 3, 3]), b.uniform('c1.bias', [4], -0.2, 0.2)],
      { kernel_shape: [3], pads: [1, 2], strides: [2] },
    );
    return b.node('Conv', [b.node('Relu', [a]), b.randomWeight('c2.weight', [3, 4, 2])], {
      kernel_shape: [2],
      dilations: [2],
    });
  }),
  gapModel('MaxPool 3×3 stride 2 pads 1 ceil_mode (torchvision ResNet stem, ceil)', [2, 2, 8, 8], (b, x) => {
    const a = b.node('Conv', [x, b.randomWeight('c.weight', [3, 2, 3, 3])], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
    });
    return b.node('MaxPool', [a], {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
      ceil_mode: 1,
    });
  }),
  gapModel('MaxPool 2×2 stride 2 ceil_mode on 7×7 (a one-row last window)', [2, 2, 7, 7], (b, x) => {
    const a = b.node('Conv', [x, b.randomWeight('c.weight', [3, 2, 3, 3])], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
    });
    return b.node('MaxPool', [a], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 });
  }),
];

describe('rule gaps vs float64 finite differences', () => {
  for (const model of gapModels) {
    it(model.name, async () => {
      const { graph } = model;
      const batch = seededBatch(graph, 4, 5);
      const values = new Map<string, T64>([
        ['x', { shape: batch.shape, data: Float64Array.from(batch.data) }],
      ]);
      for (const t of graph.initializers.values())
        if (t.dtype === 'float32')
          values.set(t.name, { shape: t.dims, data: Float64Array.from(t.values as Float32Array) });
      const r = await ortGradients(graph, batch);
      expect(Math.abs(r.loss - lossF64(graph, values, batch.labels))).toBeLessThan(1e-5);
      for (const p of r.compiled.parameters) {
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
        expect(relativeError(r.gradients.get(p.name)!, g), p.name).toBeLessThan(1e-4);
      }
    });
  }
});

describe('Conv rule errors', () => {
  it('a 3-D Conv is refused at compile time, naming the node and the supported ranks', async () => {
    const { compileTrainingGraph } = await import('../../src/autodiff/index.js');
    const b = new OnnxBuilder({ opset: 13, seed: 1, name: 'conv3d' });
    const y = b.node(
      'Conv',
      [b.input('x', [2, 2, 4, 4, 4]), b.randomWeight('w', [3, 2, 3, 3, 3])],
      { kernel_shape: [3, 3, 3] },
      { name: 'vol/Conv' },
    );
    const logits = b.node(
      'Gemm',
      [b.node('Flatten', [y], { axis: 1 }), b.randomWeight('fc.weight', [5, 24])],
      { transB: 1 },
      { outputs: ['logits'] },
    );
    b.output(logits, [2, 5]);
    expect(() => compileTrainingGraph(b.toGraph())).toThrow(
      /vol\/Conv: the Conv gradient rule supports 1-D and 2-D convolutions only \(input rank 5\)/,
    );
  });
});

afterEach(() => Object.assign(convFormulation, { gemmMaxOutPixels: 64, stridedCol2im: true }));

describe('Conv formulations vs float64 finite differences', () => {
  for (const model of models) {
    it(model.name, async () => {
      const { graph } = model;
      const batch = seededBatch(graph, 3, 5);
      const values = new Map<string, T64>([
        ['x', { shape: batch.shape, data: Float64Array.from(batch.data) }],
      ]);
      for (const t of graph.initializers.values())
        if (t.dtype === 'float32')
          values.set(t.name, { shape: t.dims, data: Float64Array.from(t.values as Float32Array) });
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
          expect(relativeError(r.gradients.get(p.name)!, fd.get(p.name)!), `${form}: ${p.name}`).toBeLessThan(
            1e-4,
          );
        }
        expect(r.compiled.parameters.length).toBeGreaterThan(1);
      }
    });
  }

  it('the Gemm form really replaces the Conv nodes (and ORT Conv keeps them)', async () => {
    const { graph } = models[0];
    const { compileTrainingGraph } = await import('../../src/autodiff/index.js');
    Object.assign(convFormulation, FORMS['Gather-im2col + Gemm']);
    const gemm = compileTrainingGraph(graph).graph.nodes.map((n) => n.opType);
    Object.assign(convFormulation, FORMS['ORT Conv']);
    const conv = compileTrainingGraph(graph).graph.nodes.map((n) => n.opType);
    expect(gemm.filter((t) => t === 'Conv' || t === 'ConvTranspose')).toEqual([]);
    expect(gemm.filter((t) => t === 'Gather').length).toBe(1); // the forward's im2col: x is the data input, no dX
    expect(conv.filter((t) => t === 'Conv').length).toBeGreaterThan(0);
  });
});
