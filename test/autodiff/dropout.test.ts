/**
 * Dropout in train mode: the mask ORT draws (returned through CompileOptions.outputs) drops about
 * `ratio` of the values; with the returned tensors, JS recomputes (1e-5) the loss, the following
 * Gemm's weight gradient dlogitsᵀ·dropout(h) (the forward's mask and 1/(1 − ratio) scale) and the
 * gradient of a gain applied before the Dropout (its backward: same mask, same scale).
 */
import { describe, expect, it } from 'vitest';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { relativeError, seededBatch } from './helpers.js';

const B = 8,
  F = 48,
  C = 4,
  RATIO = 0.4;

function model() {
  const b = new OnnxBuilder({ opset: 13, seed: 5 });
  const x = b.input('x', [B, 3, 4, 4]);
  const h = b.node(
    'Flatten',
    [
      b.node('Relu', [
        b.node('Conv', [x, b.randomWeight('c.weight', [3, 3, 3, 3])], {
          kernel_shape: [3, 3],
          pads: [1, 1, 1, 1],
        }),
      ]),
    ],
    { axis: 1 },
    { outputs: ['h'] },
  );
  const gained = b.node('Mul', [h, b.uniform('gain', [F], 0.5, 1.5)]);
  const [dropped] = b.nodeOutputs(
    'Dropout',
    [gained, b.scalar('ratio', RATIO)],
    {},
    { name: 'drop', outputs: ['dropped', 'mask'] },
  );
  b.output(
    b.node('Gemm', [dropped, b.randomWeight('fc.weight', [C, F])], { transB: 1 }, { outputs: ['logits'] }),
    [B, C],
  );
  return b.toGraph();
}

describe('Dropout (train mode)', () => {
  it('drops ~ratio, scales by 1/(1−ratio), and its gradient uses the same mask', async () => {
    const graph = model();
    const compiled = compileTrainingGraph(graph, {
      outputs: ['logits', 'h', 'mask'],
      trainable: (n) => (n === 'gain' ? true : undefined),
    });
    const initial = (n: string) => compiled.parameters.find((p) => p.name === n)!.initial;
    const [w, gain] = [initial('fc.weight'), initial('gain')];
    const step = await OrtTrainerStep.create(compiled, { threads: 1 });
    const batch = seededBatch(graph, 6, C);
    const r = await step.step({ data: batch.data, shape: batch.shape }, batch.labels);
    await step.release();
    const [logits, h, mask] = ['logits', 'h', 'mask'].map((t) => Array.from(r.outputs.get(t)!.data, Number));
    const dropped = mask.filter((m) => m === 0).length / mask.length;
    expect(Math.abs(dropped - RATIO)).toBeLessThan(0.1);
    // dlogits = (softmax − onehot)/B; dW[c, f] = Σ_b dlogits[b, c] · h[b, f]·mask[b, f]/(1 − ratio)
    const expected = new Float64Array(C * F);
    const expectedGain = new Float64Array(F);
    let loss = 0;
    for (let b = 0; b < B; b++) {
      const row = logits.slice(b * C, (b + 1) * C),
        m = Math.max(...row);
      const z = row.reduce((s, v) => s + Math.exp(v - m), 0);
      loss += m + Math.log(z) - row[batch.labels[b]];
      for (let c = 0; c < C; c++) {
        const d = (Math.exp(row[c] - m) / z - (c === batch.labels[b] ? 1 : 0)) / B;
        for (let f = 0; f < F; f++) {
          const kept = (mask[b * F + f] * h[b * F + f]) / (1 - RATIO);
          expected[c * F + f] += d * kept * gain[f];
          expectedGain[f] += d * w[c * F + f] * kept;
        }
      }
    }
    expect(Math.abs(r.loss - loss / B)).toBeLessThan(1e-5);
    expect(relativeError(r.gradients.get('fc.weight')!, expected)).toBeLessThan(1e-5);
    expect(relativeError(r.gradients.get('gain')!, expectedGain)).toBeLessThan(1e-5);
    expect(compiled.parameters.map((p) => p.name).sort()).toEqual(['c.weight', 'fc.weight', 'gain']);
  });
});
