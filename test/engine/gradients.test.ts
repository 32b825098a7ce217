import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Engine, initBackend } from '../../src/engine/index.js';
import { OnnxBuilder, seededRandom, type AttrInput } from '../helpers/onnx-builder.js';

/**
 * Gradients of every op with parameters vs central finite differences (float32), on the loss
 * L = sum(y * R) with a fixed random R. Weights are perturbed in their stored layout, element by
 * element on a seeded sample. Criterion: ||g - fd|| / max(||g||, ||fd||) < 1e-2.
 */
interface Case {
  name: string;
  build: (b: OnnxBuilder) => void;
  training?: boolean;
  opset?: number;
}

const single = (op: string, x: number[], weights: [string, number[]][], attrs: Record<string, AttrInput> = {}): Case['build'] => (b) => {
  const ins = [b.input('x', x), ...weights.map(([n, d]) => (n.startsWith('pos') ? b.uniform(n, d, 0.5, 1.5) : b.randomWeight(n, d, 0.5)))];
  b.output(b.node(op, ins, attrs));
};

const cases: Case[] = [
  { name: 'Conv stride 2 pads bias', build: single('Conv', [2, 3, 7, 6], [['w', [4, 3, 3, 3]], ['b', [4]]], { strides: [2, 2], pads: [1, 0, 1, 1] }) },
  { name: 'Conv groups 2 dilation 2', build: single('Conv', [1, 4, 8, 8], [['w', [4, 2, 3, 3]]], { group: 2, dilations: [2, 2] }) },
  { name: 'Conv depthwise', build: single('Conv', [2, 3, 6, 6], [['w', [3, 1, 3, 3]], ['b', [3]]], { group: 3, pads: [1, 1, 1, 1] }) },
  { name: 'Conv 1-D', build: single('Conv', [2, 3, 9], [['w', [2, 3, 3]]], { strides: [2] }) },
  { name: 'ConvTranspose stride 2', build: single('ConvTranspose', [1, 3, 4, 4], [['w', [3, 2, 3, 3]], ['b', [2]]], { strides: [2, 2], pads: [1, 1, 0, 0] }) },
  { name: 'Gemm transB', build: single('Gemm', [3, 5], [['w', [4, 5]], ['b', [4]]], { transB: 1 }) },
  { name: 'MatMul weight', build: single('MatMul', [2, 3, 5], [['w', [5, 4]]]) },
  { name: 'BatchNormalization (train mode)', build: single('BatchNormalization', [4, 3, 3, 3], [['posg', [3]], ['b', [3]], ['m', [3]], ['posv', [3]]]), training: true },
  { name: 'BatchNormalization (eval)', build: single('BatchNormalization', [2, 3, 3, 3], [['posg', [3]], ['b', [3]], ['m', [3]], ['posv', [3]]]) },
  { name: 'LayerNormalization', build: single('LayerNormalization', [2, 3, 6], [['posg', [6]], ['b', [6]]], { axis: -1 }) },
  { name: 'PRelu', build: single('PRelu', [2, 3, 4, 4], [['s', [3, 1, 1]]]) },
  { name: 'LSTM', build: single('LSTM', [3, 2, 3], [['W', [1, 8, 3]], ['R', [1, 8, 2]], ['B', [1, 16]]], { hidden_size: 2 }) },
  { name: 'GRU', build: single('GRU', [3, 2, 3], [['W', [1, 6, 3]], ['R', [1, 6, 2]]], { hidden_size: 2 }) },
  {
    name: 'Gather embedding + MatMul bias Add',
    build: (b) => {
      const ids = b.input('ids', [2, 3], 'int64');
      const e = b.node('Gather', [b.randomWeight('emb', [7, 4], 0.5), ids]);
      b.output(b.node('Add', [b.node('MatMul', [e, b.randomWeight('w', [4, 5], 0.5)]), b.randomWeight('bias', [5], 0.5)]));
    },
  },
];

function feeds(b: OnnxBuilder): Record<string, tf.Tensor> {
  const rnd = seededRandom(42);
  return Object.fromEntries(
    b.inputs.map((t) => {
      const dims = t.shape as number[];
      const n = dims.reduce((p, q) => p * q, 1);
      if (t.dtype === 'int64') return [t.name, tf.tensor(Array.from({ length: n }, (_, i) => (i * 3) % 7), dims, 'int32')];
      return [t.name, tf.tensor(Array.from({ length: n }, () => rnd() * 2 - 1), dims)];
    }),
  );
}

for (const backend of ['cpu', 'wasm'] as const)
  describe(`gradients vs finite differences (${backend})`, () => {
    for (const c of cases)
      it(c.name, async () => {
        await initBackend(backend);
        const b = new OnnxBuilder({ seed: 9, opset: c.opset ?? 17 });
        c.build(b);
        const engine = new Engine(b.toGraph());
        const inputs = feeds(b);
        const out = b.outputs[0].name;
        const probe = engine.run(inputs, { training: c.training })[out];
        const rnd = seededRandom(7);
        const R = tf.tensor(Array.from({ length: probe.size }, () => rnd() * 2 - 1), probe.shape);
        probe.dispose();
        const loss = () => tf.tidy(() => tf.sum(tf.mul(engine.run(inputs, { training: c.training })[out], R)) as tf.Scalar);
        const vars = engine.trainableVariables();
        const { grads } = tf.variableGrads(loss, vars);
        const eps = 1e-2;
        for (const v of vars) {
          const g = grads[v.name].dataSync();
          const base = v.dataSync().slice();
          const picks = Array.from({ length: Math.min(8, base.length) }, (_, i) => Math.floor((i * base.length) / Math.min(8, base.length)));
          let num = 0;
          let den = 0;
          for (const i of picks) {
            const at = (delta: number) => {
              const p = base.slice();
              p[i] += delta;
              v.assign(tf.tensor(p, v.shape));
              const l = loss();
              const val = l.dataSync()[0];
              l.dispose();
              return val;
            };
            const fd = (at(eps) - at(-eps)) / (2 * eps);
            num += (g[i] - fd) ** 2;
            den = Math.max(den, g[i] ** 2 + fd ** 2);
          }
          v.assign(tf.tensor(base, v.shape));
          const rel = Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-6);
          expect(rel, `${v.name} ${v.shape}`).toBeLessThan(1e-2);
        }
        tf.dispose([...Object.values(grads), ...Object.values(inputs), R]);
        engine.dispose();
      });
  });
