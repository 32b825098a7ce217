/**
 * Integer side paths carry no gradient: a PyTorch-style dynamic flatten (Shape → Gather → Unsqueeze →
 * Concat → Reshape) needs no rules for its shape ops, and trains exactly like Flatten (within 1e-6).
 */
import { describe, expect, it } from 'vitest';
import { compileTrainingGraph } from '../../src/autodiff/index.js';
import { OnnxBuilder } from '../helpers/onnx-builder.js';
import { ortGradients, relativeError, seededBatch } from './helpers.js';

function model(dynamicFlatten: boolean) {
  const b = new OnnxBuilder({ opset: 13, seed: 8 });
  const x = b.input('x', [3, 2, 4, 4]);
  const h = b.node('Relu', [
    b.node('Conv', [x, b.randomWeight('c.weight', [3, 2, 3, 3])], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
    }),
  ]);
  let flat: string;
  if (dynamicFlatten) {
    b.initializer('zero', 'int64', [], [0]);
    const batch = b.node('Unsqueeze', [
      b.node('Gather', [b.node('Shape', [h]), 'zero'], { axis: 0 }),
      b.ints('axes0', [0]),
    ]);
    flat = b.node('Reshape', [h, b.node('Concat', [batch, b.ints('minus1', [-1])], { axis: 0 })]);
  } else flat = b.node('Flatten', [h], { axis: 1 });
  b.output(
    b.node('Gemm', [flat, b.randomWeight('fc.weight', [4, 48])], { transB: 1 }, { outputs: ['logits'] }),
    [3, 4],
  );
  return b.toGraph();
}

describe('integer side paths', () => {
  it('a Shape→Gather→Concat→Reshape flatten compiles and trains like Flatten', async () => {
    const dynamic = model(true);
    expect(compileTrainingGraph(dynamic).parameters.map((p) => p.name)).toEqual(['c.weight', 'fc.weight']);
    const batch = seededBatch(dynamic, 2, 4);
    const a = await ortGradients(dynamic, batch);
    const b = await ortGradients(model(false), batch);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-6);
    for (const [name, g] of a.gradients)
      expect(relativeError(g, b.gradients.get(name)!), name).toBeLessThan(1e-6);
  });
});
