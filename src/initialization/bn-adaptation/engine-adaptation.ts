/**
 * BatchNorm adaptation on the engine (spec/algorithms.md §2.1): forward passes in train mode, no
 * gradients, with the compression hooks (quantizers, masks) active; BatchNormalization layers update
 * their running mean/var with their own momentum. Weights are not touched (no optimizer step).
 * Note: the engine's train mode also switches Dropout on; NNCF keeps it off. Models with a Dropout of
 * non-zero ratio are rejected rather than adapted with wrong statistics.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../../compression/index.js';
import { initBatches, type InitDataLoader } from '../init-data.js';
import { BnAdaptationError, runBnAdaptation } from './bn-adaptation.js';

export interface EngineBnAdaptationResult {
  steps: number;
  batchNorms: number;
}

export async function adaptBatchNormOnEngine(model: CompressedModel, loader: InitDataLoader | null, numSamples: number): Promise<EngineBnAdaptationResult> {
  const graph = model.graph;
  const bns = graph.nodes.filter((n) => n.opType === 'BatchNormalization').length;
  // Nothing to re-estimate: skip the passes (NNCF would run them without effect).
  if (bns === 0 || numSamples === 0) return { steps: 0, batchNorms: bns };
  const dropout = graph.nodes.find((n) => n.opType === 'Dropout');
  if (dropout) {
    throw new BnAdaptationError(
      `BatchNorm adaptation: node "${dropout.name}" is a Dropout, which the engine's train mode would enable; set num_bn_adaptation_samples to 0 or export the model without Dropout`,
    );
  }
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
        const out = model.run({ [name]: feed }, { training: true });
        for (const t of Object.values(out)) t.dispose();
      } finally {
        feed.dispose();
      }
    },
  });
  return { steps, batchNorms: bns };
}
