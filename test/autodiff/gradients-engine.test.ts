/**
 * The ORT training graph against the tfjs engine in train mode: same trainable set, loss within 1e-5
 * relative, every gradient within 1e-4 norm-wise relative error. Per-rule models and the Concat net on
 * the cpu backend (exact reference: tfjs-backend-wasm's MaxPoolGrad is off by 9–15 % when pooled values
 * are negative — found here, cpu and finite differences agree with ORT); the ResNet-style helper and the
 * Fashion-MNIST reference CNN on wasm, the engine's training path.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/engine/index.js';
import { loadOnnxModel } from '../../src/frontends/onnx/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { concatNet, mobilenetV2Style, resnetStyle, transformerEncoder } from '../helpers/models.js';
import { engineGradients } from './engine-reference.js';
import { ortGradients, relativeError, seededBatch, withClassifierHead } from './helpers.js';
import { ruleModels } from './rule-models.js';

/** `extra`: more names to train on both sides, or 'as-engine' to train exactly what the engine trains. */
async function compare(graph: Graph, extra: string[] | 'as-engine' = [], batchSeed = 5) {
  const classes = graph.outputs[0].shape![1] as number;
  const batch = seededBatch(graph, batchSeed, classes);
  const trainable = (n: string) => (extra !== 'as-engine' && extra.includes(n) ? true : undefined);
  const ref = engineGradients(graph, batch, { trainable });
  const ort = await ortGradients(graph, batch, {
    trainable: extra === 'as-engine' ? (n) => ref.names.includes(n) : trainable,
  });
  expect(ort.compiled.parameters.map((p) => p.name).sort()).toEqual([...ref.names].sort());
  expect(Math.abs(ort.loss - ref.loss) / Math.max(1, Math.abs(ref.loss))).toBeLessThan(1e-5);
  const errors = ort.compiled.parameters.map(
    (p) => [p.name, relativeError(ort.gradients.get(p.name)!, ref.gradients.get(p.name)!)] as const,
  );
  for (const [name, err] of errors) expect(err, name).toBeLessThan(1e-4);
  return Math.max(...errors.map(([, e]) => e));
}

describe('ORT training graph vs tfjs engine gradients (cpu backend)', () => {
  beforeAll(async () => {
    expect(await initBackend('cpu')).toBe('cpu');
  });

  for (const model of ruleModels())
    it(model.name, async () => void (await compare(model.graph, model.extraTrainable)));

  it('Concat helper net', async () => void (await compare(concatNet({ batch: 3 }).graph)));

  for (const decomposedLayerNorm of [false, true])
    it(`transformer encoder helper + classifier head (${decomposedLayerNorm ? 'decomposed LayerNorm' : 'LayerNormalization'}, MatMul, Softmax, Erf, Transpose)`, async () => {
      const worst = await compare(
        withClassifierHead(transformerEncoder({ batch: 3, decomposedLayerNorm }).graph, 4),
        'as-engine',
      );
      console.log(
        `transformer (decomposed LN: ${decomposedLayerNorm}): worst gradient error vs engine ${worst.toExponential(2)}`,
      );
    });
});

describe('ORT training graph vs tfjs engine gradients (wasm backend)', () => {
  beforeAll(async () => {
    expect(await initBackend('wasm')).toBe('wasm');
  });

  it('ResNet-style helper (batch 4, 16×16)', async () => {
    const worst = await compare(resnetStyle({ batch: 4, size: 16 }).graph);
    console.log(`resnet-style: worst gradient error vs engine ${worst.toExponential(2)}`);
  });

  it('MobileNetV2-style helper (Clip 0..6, depthwise stride 1 and 2; batch 4, 16×16)', async () => {
    const worst = await compare(mobilenetV2Style({ batch: 4, size: 16 }).graph);
    console.log(`mobilenet-v2-style: worst gradient error vs engine ${worst.toExponential(2)}`);
  });

  it('Fashion-MNIST reference CNN (batch 8)', async () => {
    const graph = await loadOnnxModel('examples/fashion-mnist/model.onnx', {
      inputShapes: { input: [8, 1, 28, 28] },
    });
    const worst = await compare(graph);
    console.log(`fashion CNN: worst gradient error vs engine ${worst.toExponential(2)}`);
  });
});
