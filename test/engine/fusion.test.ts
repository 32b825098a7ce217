import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, initBackend } from '../../src/engine/index.js';
import { mobilenetV2Style, randomInputs, resnetStyle } from '../helpers/models.js';

/** Eval-mode Conv → BN (→ Relu/Clip) folding: same values and gradients, falls back when observed. */
describe('Conv+BN(+activation) folding in eval mode', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const input = (m: ReturnType<typeof resnetStyle>) => {
    const f = randomInputs(m, 5, 4).input;
    return tf.tensor(f.data, f.dims);
  };

  for (const make of [resnetStyle, mobilenetV2Style])
    it(`${make.name}: fused == unfused (values, eval-mode gradients), faster`, () => {
      const m = make({ batch: 4 });
      const x = input(m);
      const fused = new Engine(m.graph);
      const plain = new Engine(m.graph, { fuse: false });
      const a = fused.run({ input: x }).logits.dataSync();
      const b = plain.run({ input: x }).logits.dataSync();
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
      const loss = (e: Engine) => () => tf.sum(tf.square(e.run({ input: x }).logits)) as tf.Scalar;
      const ga = tf.variableGrads(loss(fused), fused.trainableVariables()).grads;
      const gb = tf.variableGrads(loss(plain), plain.trainableVariables()).grads;
      const va = fused.trainableVariables();
      const vb = plain.trainableVariables();
      va.forEach((v, k) => {
        const p = ga[v.name].dataSync();
        const q = gb[vb[k].name].dataSync();
        const scale = Math.max(...Array.from(q, Math.abs), 1e-6);
        for (let i = 0; i < p.length; i++) expect(Math.abs(p[i] - q[i]) / scale).toBeLessThan(1e-4);
      });
      const time = (e: Engine) => {
        let best = Infinity;
        for (let r = 0; r < 5; r++) {
          const t0 = performance.now();
          tf.dispose(e.run({ input: x }));
          best = Math.min(best, performance.now() - t0);
        }
        return best;
      };
      time(fused);
      time(plain);
      const [tf1, tp] = [time(fused), time(plain)];
      console.log(`${m.name} b4 eval forward: folded ${tf1.toFixed(2)} ms, unfolded ${tp.toFixed(2)} ms (${(tp / tf1).toFixed(2)}x)`);
      fused.dispose();
      plain.dispose();
    });

  it('a hook on the conv output, or requesting it, disables the fold for that conv', () => {
    const m = resnetStyle({ batch: 2 });
    const x = input(m);
    const engine = new Engine(m.graph);
    const conv = m.graph.nodes.find((n) => n.opType === 'Conv')!;
    let calls = 0;
    engine.insertHook({ tensor: conv.outputs[0], fn: (t) => (calls++, t) });
    tf.dispose(engine.run({ input: x }));
    expect(calls).toBe(1);
    const out = engine.run({ input: x }, { outputs: [conv.outputs[0], 'logits'] });
    expect(out[conv.outputs[0]].shape[1]).toBe(16);
    tf.dispose(Object.values(out));
    engine.dispose();
  });
});
