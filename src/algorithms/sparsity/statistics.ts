/**
 * NNCF's sparsified-model statistics (nncf/common/sparsity/collector.py): `sparsity_level` = zeros among
 * all trainable parameters of the model (masked weights as used, biases, BatchNorm scale/shift; not
 * running statistics nor compression parameters), `sparsity_level_for_layers` = zeros among the masked
 * weights, and per sparsified layer its shape, sparsity level and share of the sparsified weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { StatisticsTable } from '../../compression/index.js';
import type { Engine } from '../../engine/index.js';
import type { MaskedWeight } from './mask.js';

export interface LayerSummary {
  name: string;
  shape: number[];
  sparsityLevel: number;
  /** Percent of all sparsified weights. */
  weightPercentage: number;
}

export interface SparsifiedModelStatistics {
  sparsityLevel: number;
  sparsityLevelForLayers: number;
  layers: LayerSummary[];
}

function countZeros(t: tf.Tensor): number {
  const v = t.dataSync();
  let z = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === 0) z++;
  return z;
}

export function collectSparsityStatistics(engine: Engine, masked: readonly MaskedWeight[]): SparsifiedModelStatistics {
  const byWeight = new Map(masked.map((m) => [m.layer.weight, m]));
  let total = 0, zeros = 0, sparseTotal = 0, sparseZeros = 0;
  const perLayer: { name: string; shape: number[]; size: number; zeros: number }[] = [];
  for (const w of engine.weights()) {
    if (!w.trainable) continue;
    const m = byWeight.get(w.name);
    const t = m ? m.maskedWeight() : w.variable;
    const z = countZeros(t);
    if (m) t.dispose();
    total += w.variable.size;
    zeros += z;
    if (m) {
      sparseTotal += w.variable.size;
      sparseZeros += z;
      perLayer.push({ name: m.name, shape: [...w.onnxDims], size: w.variable.size, zeros: z });
    }
  }
  // NNCF lists layers in the order of its sparsified-module list
  const order = new Map(masked.map((m, i) => [m.name, i]));
  perLayer.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  return {
    sparsityLevel: total ? zeros / total : 0,
    sparsityLevelForLayers: sparseTotal ? sparseZeros / sparseTotal : 0,
    layers: perLayer.map((l) => ({ name: l.name, shape: l.shape, sparsityLevel: l.zeros / l.size, weightPercentage: (100 * l.size) / sparseTotal })),
  };
}

/** NNCF's two tables: the model/layers levels and the per-layer summary. */
export function sparsityTables(s: SparsifiedModelStatistics): StatisticsTable[] {
  return [
    {
      title: 'Statistics of the sparsified model:',
      header: ["Statistic's name", 'Value'],
      rows: [
        ['Sparsity level of the whole model', s.sparsityLevel],
        ['Sparsity level of all sparsified layers', s.sparsityLevelForLayers],
      ],
    },
    {
      title: '',
      header: ["Layer's name", "Weight's shape", 'Sparsity level', "Weight's percentage"],
      rows: s.layers.map((l) => [l.name, `[${l.shape.join(', ')}]`, l.sparsityLevel, l.weightPercentage]),
    },
  ];
}
