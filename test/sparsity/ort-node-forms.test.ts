/**
 * The sparsity commands' node forms train on ONNX Runtime with the numbers of the tfjs hooks: the
 * magnitude Mask and the RBMask (same drawn noise fed) spliced into the model and compiled to a
 * gradient graph give the engine's loss and gradients (weights and RB logits) for one batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/algorithms/index.js';
import type { RBMaskedWeight, RBSparsityController, SparsityControllerBase } from '../../src/algorithms/sparsity/index.js';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { createCompressedModel, refreshNodeInputs, spliceCompressionNodes } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { initBackend } from '../../src/engine/index.js';
import { softmaxCrossEntropy } from '../../src/training/index.js';
import { relativeError } from '../autodiff/helpers.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function model() {
  const b = new OnnxBuilder({ opset: 13, seed: 3 });
  const x = b.input('x', [4, 2, 5, 5]);
  let y = b.node('Conv', [x, b.randomWeight('c.w', [4, 2, 3, 3]), b.randomWeight('c.b', [4])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'conv' });
  y = b.node('Flatten', [b.node('Relu', [y], {}, { name: 'relu' })], { axis: 1 }, { name: 'flat' });
  b.output(b.node('Gemm', [y, b.randomWeight('fc.w', [3, 100]), b.randomWeight('fc.b', [3])], { transB: 1 }, { name: 'fc', outputs: ['logits'] }), [4, 3]);
  return b.toGraph();
}

async function compare(section: object, prepare?: (c: SparsityControllerBase) => void) {
  const cfg = NNCFConfig.fromObject({ input_info: { sample_size: [4, 2, 5, 5] }, compression: section });
  const { model: m, controller } = await createCompressedModel(model(), cfg);
  const ctrl = controller as SparsityControllerBase;
  prepare?.(ctrl);
  const data = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i * 0.37));
  const labels = [0, 2, 1, 2];
  const x = tf.tensor(data, [4, 2, 5, 5]);
  const y = tf.tensor1d(labels, 'int32');
  const spliced = spliceCompressionNodes(m.graph, m.commands());
  const step = await OrtTrainerStep.create(compileTrainingGraph(spliced.graph, spliced.compileOptions), { threads: 1 });
  // engine: loss and gradients (its training forward draws the RB noise the node form is then fed)
  const vars = [...m.trainableVariables(), ...ctrl.compressionVariables().filter((v) => v.trainable)];
  const { value, grads } = tf.variableGrads(() => softmaxCrossEntropy(m.run({ x }, { training: true }).logits, y), vars);
  refreshNodeInputs(spliced.feeds, step);
  const r = await step.step({ data, shape: [4, 2, 5, 5] }, labels);
  await step.release();
  expect(Math.abs(r.loss - value.dataSync()[0])).toBeLessThan(1e-5);
  const weights = new Map(m.engine.weights().map((w) => [w.variable.name, w]));
  let compared = 0;
  for (const v of vars) {
    const w = weights.get(v.name);
    const masked = ctrl.masked.find((mw) => (mw as { logits?: tf.Variable }).logits === v);
    const name = w ? w.name : (masked as RBMaskedWeight).logitsName;
    const eg = grads[v.name];
    const onnx = w?.perm ? tf.transpose(eg, w.perm.map((_, i) => w.perm!.indexOf(i))) : masked ? masked.toOnnx(eg) : eg.clone();
    expect(relativeError(r.gradients.get(name)!, onnx.dataSync() as Float32Array), name).toBeLessThan(1e-4);
    onnx.dispose();
    compared++;
  }
  tf.dispose([value, x, y, ...Object.values(grads)]);
  return { compared, r };
}

describe('sparsity node forms on ONNX Runtime', () => {
  it('magnitude Mask: loss and weight gradients equal the engine (masked entries get none)', async () => {
    const { compared, r } = await compare({ algorithm: 'magnitude_sparsity', sparsity_init: 0.5 });
    expect(compared).toBe(4);
    const g = r.gradients.get('fc.w')!;
    expect(Array.from(g).filter((v) => v === 0).length).toBeGreaterThanOrEqual(150);
  }, 120_000);
  it('RBMask: loss, weight and logits gradients equal the engine with the same noise fed', async () => {
    const { compared } = await compare({ algorithm: 'rb_sparsity' }, (c) => {
      for (const l of (c as RBSparsityController).layers)
        l.logits.assign(tf.tidy(() => tf.sub(tf.mul(tf.randomUniform(l.logits.shape, 0, 1, 'float32', 9), 2), 0.5)));
    });
    expect(compared).toBe(6);
  }, 120_000);
  it('RB noise fed to ORT: a fresh draw per read when no tfjs forward drew one; zeros once frozen', async () => {
    const cfg = NNCFConfig.fromObject({ input_info: { sample_size: [4, 2, 5, 5] }, compression: { algorithm: 'rb_sparsity' } });
    const { model: m, controller } = await createCompressedModel(model(), cfg);
    const l = (controller as RBSparsityController).layers[0];
    const input = m.commands()[0].node!.inputs[1];
    const a = Array.from(input.value.dataSync());
    const b = Array.from(input.value.dataSync());
    expect(l.draws).toBe(2);
    expect(b).not.toEqual(a);
    l.frozen = true;
    expect(Math.max(...Array.from(input.value.dataSync()).map(Math.abs))).toBe(0);
    expect(l.draws).toBe(2);
  }, 120_000);
});
