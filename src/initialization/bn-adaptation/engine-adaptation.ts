/**
 * BatchNorm adaptation on the engine (spec/algorithms.md §2.1): forward passes without gradients in
 * which only BatchNormalization runs in train mode (the engine's `bnTraining`: batch statistics, running
 * mean/var updated with the layer's own momentum) and everything else — Dropout included — in eval
 * mode, with the compression hooks (quantizers, masks) active. Weights are not touched.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../../compression/index.js';
import { initBatches, type InitDataLoader } from '../init-data.js';
import { runBnAdaptation } from './bn-adaptation.js';

export interface EngineBnAdaptationResult {
  steps: number;
  batchNorms: number;
}

export async function adaptBatchNormOnEngine(model: CompressedModel, loader: InitDataLoader | null, numSamples: number): Promise<EngineBnAdaptationResult> {
  const graph = model.graph;
  const bns = graph.nodes.filter((n) => n.opType === 'BatchNormalization').length;
  // Nothing to re-estimate: skip the passes (NNCF would run them without effect).
  if (bns === 0 || numSamples === 0) return { steps: 0, batchNorms: bns };
  const batchSize = loader?.batchSize ?? 1;
  const count = Math.ceil(numSamples / batchSize);
  const source = loader ? () => initBatches(graph, loader, count) : null;
  const steps = await runBnAdaptation({
    numSamples,
    batchSize,
    batches: source,
    step: ({ name, x }) => {
      const feed = tf.tensor(x.data, x.shape, 'float32');
      try {
        const out = model.run({ [name]: feed }, { bnTraining: true });
        for (const t of Object.values(out)) t.dispose();
      } finally {
        feed.dispose();
      }
    },
  });
  return { steps, batchNorms: bns };
}
