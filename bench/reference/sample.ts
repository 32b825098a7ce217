/**
 * The bundled test sample: a stratified subset of the Fashion-MNIST test set (same share per class),
 * written as images.npy (float32 N×1×28×28, preprocessed) and labels.npy (int64 N).
 */
import { join } from 'node:path';
import { castNd, preprocess, writeNpy, type Dataset } from '../../src/data/index.js';
import { FASHION_PREPROCESS } from './fashion-data.js';

export async function writeStratifiedSample(rawTest: Dataset, n: number, seed: number, dir: string): Promise<Dataset> {
  const sample = rawTest.stratifiedSample(n, seed);
  const images = preprocess(sample.x, FASHION_PREPROCESS);
  const labels = castNd(sample.y!, 'int64');
  await writeNpy(join(dir, 'images.npy'), images);
  await writeNpy(join(dir, 'labels.npy'), labels);
  return sample;
}
