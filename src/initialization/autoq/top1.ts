/**
 * The AutoQ evaluation the CLI uses when its data has labels: top-1 accuracy of the model's first
 * output on the engine over the loader (integer class labels), the score NNCF's classification samples
 * pass as `autoq_eval_fn`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CompressedModel } from '../../compression/index.js';
import { asInitLoader, initBatches, InitializationError } from '../init-data.js';

export async function top1AccuracyOnEngine(model: unknown, loaderLike: unknown): Promise<number> {
  const m = model as CompressedModel;
  const loader = asInitLoader(loaderLike, 'AutoQ evaluation');
  const y = loader?.dataset.y;
  if (!loader || !y) throw new InitializationError('AutoQ top-1 evaluation needs a loader with labels');
  let correct = 0;
  let seen = 0;
  for (const { name, x } of initBatches(m.graph, loader, Infinity)) {
    const pred = tf.tidy(() => {
      const out = m.run({ [name]: tf.tensor(x.data, x.shape) });
      return tf.argMax(Object.values(out)[0], 1).dataSync() as Int32Array;
    });
    for (let i = 0; i < pred.length; i++, seen++) if (pred[i] === Number(y.data[seen])) correct++;
  }
  if (seen === 0) throw new InitializationError('AutoQ top-1 evaluation: the loader yielded no samples');
  return correct / seen;
}
