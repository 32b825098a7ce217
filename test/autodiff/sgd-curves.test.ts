/**
 * 20 SGD steps of each test-helper model on ORT (compiled training graph, SGD in JS) and on the tfjs
 * engine (tf.train.sgd), same batches: loss curves within 1e-3 at every step, running statistics equal
 * within 1e-3 relative at the end, and the loss on a repeated batch goes down (the steps train).
 * The Concat net runs the engine on cpu: its MaxPool reads negative values, where tfjs-backend-wasm's
 * MaxPoolGrad is wrong (see gradients-engine.test.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { compileTrainingGraph, OrtTrainerStep } from '../../src/autodiff/index.js';
import { Engine, initBackend, type BackendName } from '../../src/engine/index.js';
import type { Graph } from '../../src/graph/graph.js';
import { softmaxCrossEntropy } from '../../src/training/losses.js';
import { concatNet, mobilenetV2Style, resnetStyle, transformerEncoder } from '../helpers/models.js';
import { relativeError, seededBatch, withClassifierHead } from './helpers.js';

const STEPS = 20;

interface Case {
  name: string;
  make: () => Graph;
  lr: number;
  backend: BackendName;
  bnLayers: number;
}

const cases: Case[] = [
  {
    name: 'ResNet-style',
    make: () => resnetStyle({ batch: 8, size: 16 }).graph,
    lr: 0.05,
    backend: 'wasm',
    bnLayers: 6,
  },
  {
    name: 'MobileNetV2-style',
    make: () => mobilenetV2Style({ batch: 8, size: 16 }).graph,
    lr: 0.05,
    backend: 'wasm',
    bnLayers: 11,
  },
  {
    name: 'transformer encoder + head',
    make: () => withClassifierHead(transformerEncoder({ batch: 8 }).graph, 4),
    lr: 0.05,
    backend: 'wasm',
    bnLayers: 0,
  },
  { name: 'Concat net', make: () => concatNet({ batch: 8 }).graph, lr: 0.1, backend: 'cpu', bnLayers: 0 },
];

describe('SGD on ORT vs the tfjs engine, 20 steps', () => {
  for (const c of cases)
    it(`${c.name}: loss curves within 1e-3 (engine on ${c.backend})`, async () => {
      expect(await initBackend(c.backend)).toBe(c.backend);
      const engine = new Engine(c.make());
      const names = engine
        .weights()
        .filter((w) => w.trainable)
        .map((w) => w.name);
      const graph = c.make();
      const classes = graph.outputs[0].shape![1] as number;
      const batches = Array.from({ length: STEPS }, (_, i) => seededBatch(graph, 100 + (i % 4), classes));

      // Train exactly what the engine trains (the transformer's bias Adds and LayerNorm Mul/Add weights).
      const step = await OrtTrainerStep.create(
        compileTrainingGraph(graph, { trainable: (n) => names.includes(n) }),
        { threads: 1 },
      );
      const ortLosses: number[] = [];
      for (const b of batches) {
        const r = await step.step({ data: b.data, shape: b.shape }, b.labels);
        ortLosses.push(r.loss);
        for (const [name, g] of r.gradients) {
          const p = step.parameters.get(name)!;
          for (let i = 0; i < p.length; i++) p[i] -= c.lr * g[i];
        }
      }
      await step.release();

      const opt = tf.train.sgd(c.lr);
      const inputName = graph.inputs[0].name;
      const engineLosses: number[] = [];
      for (const b of batches) {
        const [x, labels] = [tf.tensor(b.data, b.shape), tf.tensor1d(b.labels, 'int32')];
        const loss = opt.minimize(
          () => softmaxCrossEntropy(engine.run({ [inputName]: x }, { training: true }).logits, labels),
          true,
          engine.trainableVariables(),
        )!;
        engineLosses.push(loss.dataSync()[0]);
        tf.dispose([x, labels, loss]);
      }

      const gaps = ortLosses.map((l, i) => Math.abs(l - engineLosses[i]));
      console.log(
        `${c.name}: ORT ${ortLosses[0].toFixed(4)} → ${ortLosses[STEPS - 1].toFixed(4)}; engine ${engineLosses[0].toFixed(4)} → ${engineLosses[STEPS - 1].toFixed(4)}; max gap ${Math.max(...gaps).toExponential(2)}`,
      );
      for (const [i, gap] of gaps.entries()) expect(gap, `step ${i + 1}`).toBeLessThan(1e-3);
      // Steps 1 and 17 see the same batch (four batches in turn).
      expect(ortLosses[16]).toBeLessThan(ortLosses[0] * 0.95);
      expect(step.state.size).toBe(2 * c.bnLayers);
      for (const [name, value] of step.state) {
        const ref = engine.getWeight(name);
        expect(relativeError(value, ref.dataSync()), name).toBeLessThan(1e-3);
        ref.dispose();
      }
      engine.dispose();
      opt.dispose();
    });
});
