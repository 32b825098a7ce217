/**
 * Every gradient rule against central finite differences of a float64 interpreter (h = 1e-5): the
 * ORT float32 gradient of each parameter is within 1e-4 norm-wise relative error (floor 1e-3 on the
 * reference norm, so a conv bias before BN — whose true gradient is 0 — must come out ≤ 1e-7).
 */
import { describe, expect, it } from 'vitest';
import { lossF64, type T64 } from './f64-reference.js';
import { ortGradients, relativeError, seededBatch } from './helpers.js';
import { ruleModels } from './rule-models.js';

const H = 1e-5;

describe('gradient rules vs float64 finite differences', () => {
  for (const model of ruleModels()) {
    it(model.name, async () => {
      const { graph } = model;
      const batch = seededBatch(graph, 11, 5);
      const extra = new Set(model.extraTrainable ?? []);
      const r = await ortGradients(graph, batch, { trainable: (n) => (extra.has(n) ? true : undefined) });
      expect(r.compiled.parameters.map((p) => p.name).sort()).toEqual(
        [...graph.initializers.values()]
          .filter(
            (t) =>
              t.dtype === 'float32' && !/\.(mean|var)$/.test(t.name) && !model.constants?.includes(t.name),
          )
          .map((t) => t.name)
          .sort(),
      );
      const values = new Map<string, T64>([
        ['x', { shape: batch.shape, data: Float64Array.from(batch.data) }],
      ]);
      for (const p of r.compiled.parameters)
        values.set(p.name, { shape: p.dims, data: Float64Array.from(p.initial) });
      const loss64 = lossF64(graph, values, batch.labels);
      expect(Math.abs(r.loss - loss64)).toBeLessThan(1e-5 * Math.max(1, Math.abs(loss64)));
      for (const p of r.compiled.parameters) {
        const theta = values.get(p.name)!.data;
        const fd = new Float64Array(theta.length);
        for (let i = 0; i < theta.length; i++) {
          const keep = theta[i];
          theta[i] = keep + H;
          const up = lossF64(graph, values, batch.labels);
          theta[i] = keep - H;
          const down = lossF64(graph, values, batch.labels);
          theta[i] = keep;
          fd[i] = (up - down) / (2 * H);
        }
        const err = relativeError(r.gradients.get(p.name)!, fd);
        expect(err, `${model.name}: ${p.name}`).toBeLessThan(1e-4);
      }
    });
  }
});
