/**
 * MaxPool backward with tied maxima at positive values: an image with a constant background (as
 * Fashion-MNIST's) makes a conv + ReLU give equal positive activations across a window. The gradient
 * goes to the first maximum of each window (PyTorch, tfjs, ORT's MaxPool indices); giving it to every
 * tied maximum multiplied it by up to 4 and put the early layers' gradients 5–35 % off.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Engine, initBackend } from '../../src/engine/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { engineGradients } from './engine-reference.js';
import { ortGradients, relativeError, type Batch } from './helpers.js';

function model(hw: number) {
  const b = new OnnxBuilder({ opset: 13, seed: 5, name: 'ties' });
  const x = b.input('x', [2, 1, hw, hw]);
  const c = b.node('Conv', [x, b.randomWeight('c.weight', [3, 1, 3, 3]), b.uniform('c.bias', [3], 0.2, 0.4)], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  const p = b.node('MaxPool', [b.node('Relu', [c])], { kernel_shape: [2, 2], strides: [2, 2] });
  const oh = Math.floor(hw / 2);
  const flat = b.node('Flatten', [p], { axis: 1 });
  b.output(b.node('Gemm', [flat, b.randomWeight('fc.weight', [4, 3 * oh * oh]), b.uniform('fc.bias', [4], -0.1, 0.1)], { transB: 1 }, { outputs: ['logits'] }), [2, 4]);
  return b.toGraph();
}

/** A constant background of 0.5 with a bright square in one corner. */
function batch(hw: number): Batch {
  const data = new Float32Array(2 * hw * hw).fill(0.5);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) data[i * hw + j] = 2 + i - j;
  return { data, shape: [2, 1, hw, hw], labels: [1, 3] };
}

describe('MaxPool gradient with tied positive maxima', () => {
  for (const hw of [8, 9])
    it(`${hw}×${hw}: ORT gradients equal the engine's (first maximum wins) within 1e-5`, async () => {
      await initBackend('cpu');
      const g = model(hw);
      const b = batch(hw);
      // the case is real: most pooling windows hold a tied positive maximum
      const e = new Engine(g);
      const act = e.run({ x: tf.tensor(b.data, b.shape) }, { outputs: [g.nodes[1].outputs[0]] })[g.nodes[1].outputs[0]];
      const a = act.arraySync() as number[][][][];
      let tied = 0;
      for (let ch = 0; ch < 3; ch++)
        for (let i = 0; i + 1 < hw; i += 2)
          for (let j = 0; j + 1 < hw; j += 2) {
            const w = [a[0][ch][i][j], a[0][ch][i][j + 1], a[0][ch][i + 1][j], a[0][ch][i + 1][j + 1]];
            const m = Math.max(...w);
            if (m > 0 && w.filter((v) => v === m).length > 1) tied++;
          }
      tf.dispose(act);
      e.dispose();
      expect(tied).toBeGreaterThan(10);
      const ort = await ortGradients(g, b);
      const ref = engineGradients(g, b);
      for (const name of ref.names) {
        const err = relativeError(ort.gradients.get(name)!, ref.gradients.get(name)!);
        expect(err, name).toBeLessThan(1e-5);
      }
      expect(Math.abs(ort.loss - ref.loss)).toBeLessThan(1e-5);
    }, 120_000);
});
