import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../compression/index.js';
import { classIds, type Dataset } from '../data/index.js';
import { correctCount, softmaxCrossEntropy } from './losses.js';

export interface EngineEvaluation {
  /** Top-1 as a fraction of the samples. */
  top1: number;
  /** Mean softmax cross-entropy (only when asked for). */
  loss?: number;
}

/**
 * Classification metrics of the model's output (default: the first) on labelled data, eval mode,
 * compression hooks on. The input defaults to the first graph input that is not an initializer.
 */
export function evaluateOnEngine(
  model: CompressedModel,
  ds: Dataset,
  batchSize: number,
  opts: { input?: string; output?: string; withLoss?: boolean } = {},
): EngineEvaluation {
  const input = opts.input ?? model.graph.inputs.find((i) => !model.graph.initializers.has(i.name))!.name;
  const output = opts.output ?? model.graph.outputs[0].name;
  let correct = 0;
  let lossSum = 0;
  for (const b of ds.batches(batchSize)) {
    const x = tf.tensor(b.x.data as Float32Array, b.x.shape);
    const y = tf.tensor(classIds(b.y!), b.y!.shape, 'int32');
    const out = model.run({ [input]: x });
    correct += correctCount(out[output], y);
    if (opts.withLoss) {
      const loss = softmaxCrossEntropy(out[output], y);
      lossSum += loss.dataSync()[0] * b.indices.length;
      loss.dispose();
    }
    tf.dispose([x, y, ...Object.values(out)]);
  }
  const n = Math.max(ds.length, 1);
  return opts.withLoss ? { top1: correct / n, loss: lossSum / n } : { top1: correct / n };
}
