/**
 * NNCF's statistics of movement sparsity (PTSparseModelStatisticsCollector with sparse biases, and
 * MovementSparsityStatistics): the model level counts every trainable parameter (masked weights and
 * biases as used); the sparsified layers are each weight and, listed as "<layer>/bias", each bias.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Engine } from '../../../engine/index.js';
import type { SparsifiedModelStatistics } from '../statistics.js';
import type { MovementSparsifier, ScoredMask } from './sparsifier.js';

function zeros(t: tf.Tensor): number {
  const v = t.dataSync();
  let z = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === 0) z++;
  return z;
}

export function collectMovementStatistics(engine: Engine, sparsifiers: readonly MovementSparsifier[]): SparsifiedModelStatistics {
  const masks = sparsifiers.flatMap((s) => s.masks);
  const byParam = new Map<string, ScoredMask>(masks.map((m) => [m.layer.weight, m]));
  let total = 0, zero = 0;
  const sparse = new Map<ScoredMask, number>();
  for (const w of engine.weights()) {
    if (!w.trainable) continue;
    const m = byParam.get(w.name);
    const t = m ? m.maskedWeight() : w.variable;
    const z = zeros(t);
    if (m) {
      t.dispose();
      sparse.set(m, z);
    }
    total += w.variable.size;
    zero += z;
  }
  const sparseTotal = masks.reduce((a, m) => a + m.weight.size, 0);
  const sparseZeros = masks.reduce((a, m) => a + (sparse.get(m) ?? 0), 0);
  return {
    sparsityLevel: total ? zero / total : 0,
    sparsityLevelForLayers: sparseTotal ? sparseZeros / sparseTotal : 0,
    layers: masks.map((m) => ({
      name: m.name,
      shape: [...m.torchShape],
      sparsityLevel: (sparse.get(m) ?? 0) / m.weight.size,
      weightPercentage: (100 * m.weight.size) / sparseTotal,
    })),
  };
}
