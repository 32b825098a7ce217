import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../src/algorithms/index.js';
import type { ConstSparsityController } from '../../src/algorithms/sparsity/index.js';
import { CompressionStage, createCompressedModel } from '../../src/compression/index.js';
import { NNCFConfig } from '../../src/config/index.js';
import { initBackend } from '../../src/engine/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Gemm 3→2 whose weight already has two zeros (a model pruned elsewhere), then a MatMul on a constant. */
function pruned() {
  const b = new OnnxBuilder({ opset: 13 });
  const x = b.input('x', ['N', 3]);
  const h = b.node('Gemm', [x, b.initializer('w', 'float32', [2, 3], [1, 0, -2, 0, 0.5, 3]), b.initializer('b', 'float32', [2], [0.1, 0.2])], { transB: 1 }, { name: 'fc1' });
  const y = b.node('MatMul', [h, b.initializer('w2', 'float32', [2, 2], [1, 2, 3, 4])], {}, { name: 'fc2', outputs: ['y'] });
  b.output(y, ['N', 2]);
  return b.toGraph();
}

describe('const_sparsity', () => {
  it('masks are the zeros of the weights; training keeps them at zero; FULLY_COMPRESSED, stub scheduler', async () => {
    const cfg = NNCFConfig.fromObject({ input_info: { sample_size: [1, 3] }, compression: { algorithm: 'const_sparsity' } });
    const { model, controller } = await createCompressedModel(pruned(), cfg);
    const c = controller as ConstSparsityController;
    expect(c.masked.map((m) => [m.name, Array.from(m.toOnnx(m.mask).dataSync())])).toEqual([
      ['fc1', [1, 0, 1, 0, 1, 1]],
      ['fc2', [1, 1, 1, 1]],
    ]);
    expect(c.compressionStage()).toBe(CompressionStage.FULLY_COMPRESSED);
    const s = c.statistics().values;
    expect(s.sparsity_level_for_layers).toBeCloseTo(2 / 10, 12);
    expect(s.sparsity_level).toBeCloseTo(2 / 12, 12);
    // one SGD step on the raw weights: the masked entries get zero gradient, the model output ignores them
    const w = model.engine.weights().find((v) => v.name === 'w')!.variable;
    const x = tf.tensor2d([[1, 2, 3]]);
    const { grads } = tf.variableGrads(() => tf.sum(model.run({ x }, { training: true }).y) as tf.Scalar, [w]);
    const g = model.engine.weights().find((v) => v.name === 'w')!;
    const onnxGrad = Array.from((g.perm ? tf.transpose(grads[w.name], g.perm.map((_, i) => g.perm!.indexOf(i))) : grads[w.name]).dataSync());
    expect(onnxGrad[1]).toBe(0);
    expect(onnxGrad[3]).toBe(0);
    expect(onnxGrad[0]).not.toBe(0);
    c.freeze(); // a no-op, as NNCF
    c.scheduler.epochStep();
    expect(c.masked[0].frozen).toBe(true);
    x.dispose();
    tf.dispose(grads);
  });
});
