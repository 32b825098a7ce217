/**
 * Quantizers as FakeQuantize nodes: a model quantized by our builder, its commands spliced as nodes and
 * compiled to one ONNX training graph, gives on ONNX Runtime the loss and the gradients (weights,
 * scale, input_low, input_range) of the tfjs engine running the same quantizers as hooks — symmetric
 * and asymmetric, per-tensor and per-channel (depthwise included), staged flags on and off without a
 * recompile — and 20 SGD steps of QAT follow the same loss curve.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCompressedModel, QuantizationController } from '../../src/api.js';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { nodeInputGradient, nodeInputValue, refreshNodeInputs, spliceCompressionNodes, type CompositeController, type SplicedGraph } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { Dataset } from '../../src/data/index.js';
import { initBackend, type Engine } from '../../src/engine/index.js';
import type { Graph } from '../../src/graph/index.js';
import { softmaxCrossEntropy } from '../../src/training/losses.js';
import { relativeError } from '../autodiff/helpers.js';
import { mobilenetV2Style } from '../helpers/models.js';
import { seededRandom } from '../helpers/onnx-builder.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

interface Batch {
  data: Float32Array;
  shape: number[];
  labels: number[];
}

const inverse = (perm: number[]) => perm.map((_, i) => perm.indexOf(i));

/**
 * Conv-BN-ReLU, strided Conv-ReLU, GAP, Gemm. No MaxPool: on main its ORT rule shares the gradient
 * among tied maxima, and quantized activations tie often (the first-maximum fix is on its way).
 */
function smallConvNet(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 4, name: 'small_conv' });
  const x = b.input('input', ['N', 3, 8, 8]);
  let y = b.node('Conv', [x, b.randomWeight('c1.weight', [8, 3, 3, 3]), b.uniform('c1.bias', [8], -0.1, 0.1)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'c1/Conv' });
  y = b.node('BatchNormalization', [y, b.uniform('bn.scale', [8], 0.8, 1.2), b.uniform('bn.bias', [8], -0.1, 0.1), b.uniform('bn.mean', [8], -0.1, 0.1), b.uniform('bn.var', [8], 0.8, 1.2)], { epsilon: 1e-5, momentum: 0.9 }, { name: 'bn/BatchNormalization' });
  y = b.node('Relu', [y], {}, { name: 'r1/Relu' });
  y = b.node('Conv', [y, b.randomWeight('c2.weight', [8, 8, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }, { name: 'c2/Conv' });
  y = b.node('Relu', [y], {}, { name: 'r2/Relu' });
  y = b.node('Flatten', [b.node('GlobalAveragePool', [y], {}, { name: 'gap/GlobalAveragePool' })], { axis: 1 }, { name: 'flat/Flatten' });
  b.output(b.node('Gemm', [y, b.randomWeight('fc.weight', [10, 8]), b.uniform('fc.bias', [10], -0.1, 0.1)], { transB: 1 }, { name: 'fc/Gemm', outputs: ['logits'] }), ['N', 10]);
  return b.toGraph();
}

/** relu1 feeds conv2 (quantizable) and Sigmoid (reads float): NNCF's per-consumer input quantizer on conv2 only. */
function branchingNet(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 6, name: 'branching' });
  const x = b.input('input', ['N', 3, 8, 8]);
  const r1 = b.node('Relu', [b.node('Conv', [x, b.randomWeight('c1.weight', [6, 3, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'c1/Conv' })], {}, { name: 'relu1', outputs: ['relu1'] });
  const c2 = b.node('Relu', [b.node('Conv', [r1, b.randomWeight('c2.weight', [6, 6, 3, 3])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'c2/Conv' })], {}, { name: 'relu2' });
  const sig = b.node('Sigmoid', [r1], {}, { name: 'sig' });
  const pool = (t: string, n: string) => b.node('Flatten', [b.node('GlobalAveragePool', [t], {}, { name: `${n}/GlobalAveragePool` })], { axis: 1 }, { name: `${n}/Flatten` });
  const both = b.node('Concat', [pool(c2, 'p2'), pool(sig, 'ps')], { axis: 1 }, { name: 'cat' });
  b.output(b.node('Gemm', [both, b.randomWeight('fc.weight', [10, 12])], { transB: 1 }, { name: 'fc/Gemm', outputs: ['logits'] }), ['N', 10]);
  return b.toGraph();
}

/** Two branches → Concat (unified scale on CPU) → 1×1 Conv → GAP → Gemm (concatNet of the helpers ends in a MaxPool). */
function concatGapNet(): Graph {
  const b = new OnnxBuilder({ opset: 13, seed: 8, name: 'concat_gap' });
  const x = b.input('input', ['N', 3, 8, 8]);
  const branch = (n: string, k: number) =>
    b.node('Relu', [b.node('Conv', [x, b.randomWeight(`${n}.weight`, [6, 3, k, k]), b.uniform(`${n}.bias`, [6], -0.1, 0.1)], { kernel_shape: [k, k], pads: Array(4).fill(k >> 1) }, { name: `${n}/Conv` })], {}, { name: `${n}/Relu` });
  const cat = b.node('Concat', [branch('a', 1), branch('b', 3)], { axis: 1 }, { name: 'merge/Concat' });
  const m = b.node('Conv', [cat, b.randomWeight('merge.weight', [8, 12, 1, 1])], { kernel_shape: [1, 1] }, { name: 'merge/Conv' });
  const f = b.node('Flatten', [b.node('GlobalAveragePool', [b.node('Relu', [m], {}, { name: 'merge/Relu' })], {}, { name: 'gap/GlobalAveragePool' })], { axis: 1 }, { name: 'flat/Flatten' });
  b.output(b.node('Gemm', [f, b.randomWeight('fc.weight', [10, 8])], { transB: 1 }, { name: 'fc/Gemm', outputs: ['logits'] }), ['N', 10]);
  return b.toGraph();
}

function randomData(n: number, shape: number[], seed: number): Dataset {
  const rnd = seededRandom(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n * size }, () => rnd() * 2 - 1);
  const y = Int32Array.from({ length: n }, () => Math.floor(rnd() * 10));
  return new Dataset({ dtype: 'float32', shape: [n, ...shape], data: x }, { dtype: 'int32', shape: [n], data: y });
}

function firstBatch(data: Dataset, n: number): Batch {
  const size = data.x.shape.slice(1).reduce((a, b) => a * b, 1);
  return {
    data: Float32Array.from((data.x.data as Float32Array).subarray(0, n * size)),
    shape: [n, ...data.x.shape.slice(1)],
    labels: Array.from((data.y!.data as Int32Array).subarray(0, n)),
  };
}

async function quantize(graph: Graph, data: Dataset, sample: number[], q: Record<string, unknown>, top: Record<string, unknown> = {}) {
  const config = NNCFConfig.fromObject({
    ...top,
    input_info: { sample_size: [1, ...sample] },
    batch_size: 8,
    compression: {
      algorithm: 'quantization',
      initializer: { range: { num_init_samples: 16 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } },
      ...q,
    },
  });
  const r = await createCompressedModel(graph, config, { initDataset: data });
  r.model.engine.syncToGraph(); // the training graph starts from the engine's current weights
  return { ...r, ctrl: r.controller as QuantizationController };
}

/** The engine's train-mode loss and gradients (weights in ONNX layout; compression inputs in the node's layout). */
function engineStep(e: Engine, spliced: SplicedGraph, batch: Batch) {
  const weights = e.weights().filter((w) => w.trainable);
  const params = [...spliced.feeds.values()].filter((f) => f.trainable);
  const vars = [...weights.map((w) => w.variable), ...params.map((p) => p.value as tf.Variable)];
  const gradients = new Map<string, Float32Array>();
  let loss = NaN;
  tf.tidy(() => {
    const x = tf.tensor(batch.data, batch.shape);
    const labels = tf.tensor1d(batch.labels, 'int32');
    const { value, grads } = tf.variableGrads(
      () => softmaxCrossEntropy(e.run({ [e.graph.inputs[0].name]: x }, { training: true })[e.graph.outputs[0].name], labels),
      vars,
    );
    for (const w of weights) {
      const g = grads[w.variable.name];
      gradients.set(w.name, (w.perm ? tf.transpose(g, inverse(w.perm)) : g).dataSync() as Float32Array);
    }
    for (const p of params) {
      const g = grads[(p.value as tf.Variable).name] ?? tf.zerosLike(p.value);
      gradients.set(p.name, nodeInputValue({ ...p, value: g }).values);
    }
    loss = value.dataSync()[0];
  });
  return { loss, gradients };
}

/**
 * Moves every range 1.23 % off its initialized value. Straight from range init, the largest value sits
 * exactly on the range's end and products of grid weights × grid inputs land on the next quantizer's
 * rounding midpoints, where ORT's and tfjs's float summation orders round one level apart; off the
 * grid, the two paths compare gradient for gradient.
 */
function offGrid(r: { ctrl: QuantizationController }): void {
  for (const m of r.ctrl.modules) {
    const vars = m.quantizer.trainableVariables();
    const range = vars[vars.length - 1];
    tf.tidy(() => range.assign(m.quantizer.spec.logarithmScale ? tf.add(range, 0.0122) : tf.mul(range, 1.0123)));
  }
}

/** Per flag setting: the worst norm-wise gradient error, and the median over tensors. */
async function compare(r: Awaited<ReturnType<typeof quantize>>, batch: Batch, flags: { weights: boolean; activations: boolean }[]) {
  const spliced = spliceCompressionNodes(r.model.graph, r.model.commands());
  const compiled = compileTrainingGraph(spliced.graph, spliced.compileOptions);
  expect(compiled.graph.nodes.every((n) => n.domain === '')).toBe(true);
  const step = await OrtTrainerStep.create(compiled, { threads: 1 });
  const results: { worst: number; median: number; loss: number }[] = [];
  try {
    for (const f of flags) {
      for (const m of r.ctrl.modules) m.quantizer.enabled = m.placed.kind === 'weight' ? f.weights : f.activations;
      refreshNodeInputs(spliced.feeds, step);
      const ort = await step.step({ data: batch.data, shape: batch.shape }, batch.labels);
      const ref = engineStep(r.model.engine, spliced, batch);
      expect([...ort.gradients.keys()].sort()).toEqual([...ref.gradients.keys()].sort());
      const errs = [...ort.gradients].map(([name, g]) => {
        const m = spliced.feeds.get(name)?.lrMultiplier ?? 1;
        return relativeError(g.map((v) => v * m), ref.gradients.get(name)!);
      });
      errs.sort((a, b) => a - b);
      results.push({ worst: errs[errs.length - 1], median: errs[errs.length >> 1], loss: Math.abs(ort.loss - ref.loss) / Math.abs(ref.loss) });
      // A disabled quantizer's parameters get no gradient.
      for (const m of r.ctrl.modules)
        if (!m.quantizer.enabled)
          for (const [name, g] of ort.gradients) if (name.startsWith(`quantization/${m.placed.id}/`)) expect(Math.max(...g.map(Math.abs))).toBe(0);
    }
  } finally {
    await step.release();
  }
  return { results, spliced, compiled };
}

const ALL = [
  { weights: false, activations: false },
  { weights: true, activations: false },
  { weights: false, activations: true },
  { weights: true, activations: true },
];

/** 20 SGD steps on the engine (hooks) and on ORT (nodes) from identical compressed models: the two loss curves. */
async function sgdCurves(make: () => ReturnType<typeof quantize>, batches: Batch[], lr: number) {
  const a = await make();
  const b = await make();
  const engineLoss: number[] = [];
  const ortLoss: number[] = [];
  const spliced = spliceCompressionNodes(b.model.graph, b.model.commands());
  const step = await OrtTrainerStep.create(compileTrainingGraph(spliced.graph, spliced.compileOptions), { threads: 1 });
  const refSpliced = spliceCompressionNodes(a.model.graph, a.model.commands());
  const before = tf.memory().numTensors;
  try {
    for (const batch of batches) {
      // engine: plain SGD on every variable (compression_lr_multiplier is inside the hooks' gradients)
      const e = engineStep(a.model.engine, refSpliced, batch);
      engineLoss.push(e.loss);
      applySgd(a.model.engine, refSpliced, e.gradients, lr);
      // ORT: weights updated in the step's arrays; compression parameters on their variables, × lrMultiplier
      refreshNodeInputs(spliced.feeds, step);
      const o = await step.step({ data: batch.data, shape: batch.shape }, batch.labels);
      ortLoss.push(o.loss);
      for (const [name, g] of o.gradients) {
        const inp = spliced.feeds.get(name);
        if (!inp) {
          const p = step.parameters.get(name)!;
          for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
          continue;
        }
        const dims = nodeInputValue(inp).dims;
        tf.tidy(() => {
          const grad = nodeInputGradient(inp, g, dims);
          (inp.value as tf.Variable).assign(tf.sub(inp.value, tf.mul(grad, lr * (inp.lrMultiplier ?? 1))));
        });
      }
    }
    expect(tf.memory().numTensors).toBe(before); // nothing leaks across steps
  } finally {
    await step.release();
    a.ctrl.dispose();
    b.ctrl.dispose();
  }
  return { engineLoss, ortLoss };
}

function applySgd(engine: Engine, spliced: SplicedGraph, grads: Map<string, Float32Array>, lr: number): void {
  tf.tidy(() => {
    for (const w of engine.weights().filter((x) => x.trainable)) {
      const g = tf.tensor(grads.get(w.name)!, w.onnxDims);
      w.variable.assign(tf.sub(w.variable, tf.mul(w.perm ? tf.transpose(g, w.perm) : g, lr)));
    }
    for (const inp of spliced.feeds.values()) {
      if (!inp.trainable) continue;
      const dims = nodeInputValue(inp).dims;
      (inp.value as tf.Variable).assign(tf.sub(inp.value, tf.mul(nodeInputGradient(inp, grads.get(inp.name)!, dims), lr)));
    }
  });
}

describe('FakeQuantize node form vs the engine hooks', () => {
  it.each(['symmetric', 'asymmetric'] as const)('small conv net, %s, per-tensor, lr multiplier 3: loss and gradients equal (1e-4) with staged flags on and off, no recompile', async (mode) => {
    const data = randomData(16, [3, 8, 8], 5);
    const r = await quantize(smallConvNet(), data, [3, 8, 8], { weights: { mode }, activations: { mode }, compression_lr_multiplier: 3 });
    const { results, spliced, compiled } = await compare(r, firstBatch(data, 8), ALL);
    console.log(`small conv ${mode}: ${results.map((x) => `worst ${x.worst.toExponential(2)} loss ${x.loss.toExponential(2)}`).join('; ')}`);
    for (const x of results) {
      expect(x.loss).toBeLessThan(1e-4);
      expect(x.worst).toBeLessThan(1e-4);
    }
    const fq = spliced.nodes.filter((n) => n.opType === 'FakeQuantize');
    expect(fq.length).toBe(r.ctrl.modules.reduce((a, m) => a + m.tensors.length, 0));
    expect(compiled.fed.map((f) => f.name).every((n) => n.endsWith('/enabled'))).toBe(true);
    expect([...spliced.feeds.values()].filter((f) => f.trainable).every((f) => f.lrMultiplier === 3)).toBe(true);
    r.ctrl.dispose();
  }, 300_000);

  it.each(['symmetric', 'asymmetric'] as const)('MobileNetV2-style, %s, per-channel weights (depthwise) and activations', async (mode) => {
    const model = mobilenetV2Style({ batch: 'N', size: 16 });
    const data = randomData(16, [3, 16, 16], 11);
    const r = await quantize(model.graph, data, [3, 16, 16], {
      weights: { mode, per_channel: true },
      activations: { mode, per_channel: mode === 'asymmetric' },
    }, mode === 'asymmetric' ? { target_device: 'TRIAL' } : {}); // TRIAL allows per-channel activations
    if (mode === 'asymmetric') expect(r.ctrl.modules.some((m) => m.placed.kind === 'activation' && m.placed.perChannel)).toBe(true);
    // Symmetric straight from init: features.3.dw outputs land on rounding midpoints (one level apart on the
    // two paths from there on). Asymmetric moved off-grid: a near-constant channel feeds a train-mode BN
    // (gradient norm ×50) and one flipped level changes its batch variance. Each mode runs where neither happens.
    if (mode === 'symmetric') offGrid(r);
    const { results, spliced } = await compare(r, firstBatch(data, 8), ALL);
    console.log(`mobilenet-v2-style ${mode}: ${results.map((x) => `worst ${x.worst.toExponential(2)} median ${x.median.toExponential(2)} loss ${x.loss.toExponential(2)}`).join('; ')}`);
    for (const x of results) {
      expect(x.loss).toBeLessThan(1e-4);
      expect(x.worst).toBeLessThan(1e-4);
    }
    // Per-channel weight parameters are fed in ONNX layout: [C,1,1,1] (the engine keeps [1,1,C,1]-style).
    const dw = [...spliced.feeds.entries()].find(([n]) => n.includes('features.1.dw') && n.includes('WEIGHT') && !n.endsWith('/enabled'))!;
    expect(nodeInputValue(dw[1]).dims).toEqual([64, 1, 1, 1]);
    const back = nodeInputGradient(dw[1], new Float32Array(64), [64, 1, 1, 1]);
    expect(back.shape).toEqual(dw[1].value.shape);
    back.dispose();
    r.ctrl.dispose();
  }, 600_000);

  it('per-consumer input quantizer with logarithm_scale: only conv2 reads the quantized relu1; gradients equal (1e-4)', async () => {
    const data = randomData(16, [3, 8, 8], 9);
    const log = { mode: 'symmetric', logarithm_scale: true };
    const r = await quantize(branchingNet(), data, [3, 8, 8], { weights: log, activations: log });
    const pre = r.ctrl.modules.find((m) => m.inputPorts)!;
    expect(pre.inputPorts).toEqual({ relu1: [{ node: 'c2/Conv', port: 0 }] });
    expect(r.ctrl.modules.every((m) => m.quantizer.spec.logarithmScale)).toBe(true);
    // With the range straight from init, exp(log s) lands a float bit above or below the largest weight
    // depending on the Exp implementation (ORT vs tfjs), flipping that element's clipping mask.
    offGrid(r);
    const { results, spliced } = await compare(r, firstBatch(data, 8), ALL);
    console.log(`branching, log scale: ${results.map((x) => `worst ${x.worst.toExponential(2)}`).join('; ')}`);
    for (const x of results) expect(x.worst).toBeLessThan(1e-4);
    expect(spliced.graph.node('sig')!.inputs).toEqual(['relu1']);
    expect(spliced.graph.producer(spliced.graph.node('c2/Conv')!.inputs[0])!.opType).toBe('FakeQuantize');
    expect(spliced.nodes.every((n) => n.attributes.logarithm_scale.value === 1)).toBe(true);
    r.ctrl.dispose();
  }, 300_000);

  it('unified scales (one quantizer read at two points) and half range (overflow fix), CPU target: gradients equal (1e-4)', async () => {
    const data = randomData(16, [3, 8, 8], 13);
    const r = await quantize(concatGapNet(), data, [3, 8, 8], {}, { target_device: 'CPU' });
    offGrid(r);
    const shared = r.ctrl.modules.find((m) => m.tensors.length > 1)!;
    expect(shared.tensors.length).toBe(2);
    expect(r.ctrl.modules.some((m) => m.quantizer.spec.halfRange)).toBe(true);
    const { results, spliced } = await compare(r, firstBatch(data, 4), ALL);
    console.log(`concat net CPU: ${results.map((x) => `worst ${x.worst.toExponential(2)}`).join('; ')}`);
    for (const x of results) expect(x.worst).toBeLessThan(1e-4);
    // Both points read the same scale input: one parameter, one gradient (the sum over both points).
    const scale = `quantization/${shared.placed.id}/scale`;
    expect(spliced.nodes.filter((n) => n.inputs.includes(scale))).toHaveLength(2);
    expect(spliced.nodes.filter((n) => n.attributes.level_high.value === 63)).not.toHaveLength(0); // 7-bit weights
    r.ctrl.dispose();
  }, 300_000);

  it('magnitude sparsity + quantization: Mask then FakeQuantize on each weight (command order), gradients equal (1e-4)', async () => {
    const data = randomData(16, [3, 8, 8], 17);
    const config = NNCFConfig.fromObject({
      input_info: { sample_size: [1, 3, 8, 8] },
      batch_size: 8,
      compression: [
        { algorithm: 'magnitude_sparsity', sparsity_init: 0.5 },
        { algorithm: 'quantization', initializer: { range: { num_init_samples: 16 }, batchnorm_adaptation: { num_bn_adaptation_samples: 0 } } },
      ],
    });
    const c = await createCompressedModel(smallConvNet(), config, { initDataset: data });
    c.model.engine.syncToGraph();
    const ctrl = (c.controller as CompositeController).children.find((x) => x instanceof QuantizationController) as QuantizationController;
    const r = { ...c, ctrl };
    offGrid(r);
    const { results, spliced } = await compare(r, firstBatch(data, 8), ALL);
    console.log(`sparsity + quantization: ${results.map((x) => `worst ${x.worst.toExponential(2)}`).join('; ')}`);
    for (const x of results) expect(x.worst).toBeLessThan(1e-4);
    for (const w of ['c1.weight', 'c2.weight']) {
      const mask = spliced.nodes.find((n) => n.opType === 'Mask' && n.inputs[0] === w)!;
      const fq = spliced.nodes.find((n) => n.opType === 'FakeQuantize' && n.inputs[0] === mask.outputs[0])!;
      expect(spliced.graph.node(w === 'c1.weight' ? 'c1/Conv' : 'c2/Conv')!.inputs[1]).toBe(fq.outputs[0]);
    }
    c.controller.dispose?.();
  }, 300_000);

  it.each(['symmetric', 'asymmetric'] as const)('20 SGD steps of QAT (%s): ORT and engine loss curves within 1e-3', async (mode) => {
    const data = randomData(160, [3, 8, 8], 21);
    const make = () => quantize(smallConvNet(), data, [3, 8, 8], { weights: { mode }, activations: { mode }, compression_lr_multiplier: 2 });
    const batches = Array.from({ length: 20 }, (_, k) => {
      const all = firstBatch(data, 160);
      const size = 3 * 64;
      return { data: all.data.slice(k * 8 * size, (k + 1) * 8 * size), shape: [8, 3, 8, 8], labels: all.labels.slice(k * 8, k * 8 + 8) };
    });
    const { engineLoss, ortLoss } = await sgdCurves(make, batches, 0.05);
    const gap = Math.max(...engineLoss.map((l, i) => Math.abs(l - ortLoss[i])));
    console.log(`QAT ${mode}: loss ${engineLoss[0].toFixed(4)} → ${engineLoss[19].toFixed(4)}, max curve gap ${gap.toExponential(2)}`);
    expect(gap).toBeLessThan(1e-3);
    expect(engineLoss[19]).not.toBe(engineLoss[0]);
  }, 600_000);
});
