/**
 * Fashion-MNIST as model-ready Datasets. Preprocessing (the model's contract):
 *   x = (pixel / 255 − 0.2860) / 0.3530,  shape N×1×28×28 float32 (NCHW)
 * where 0.2860 / 0.3530 are the mean / std of the 60k training pixels scaled to [0, 1].
 * Files come from `npm run get-data -- fashion-mnist` (.cache/data/fashion-mnist).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Dataset, preprocess, readIdx, type PreprocessOptions } from '../../src/data/index.js';

export const FASHION_DIR = resolve('.cache/data/fashion-mnist');
export const FASHION_MEAN = 0.286;
export const FASHION_STD = 0.353;
export const FASHION_PREPROCESS: PreprocessOptions = { addChannel: 'first', scale: 1 / 255, mean: FASHION_MEAN, std: FASHION_STD };
/** The same preprocessing as a `--preprocess` string for the CLI. */
export const FASHION_PREPROCESS_SPEC = `channel=first,scale=1/255,mean=${FASHION_MEAN},std=${FASHION_STD}`;
export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export type FashionSplit = 'train' | 't10k';

/** The raw split: uint8 images N×28×28 and uint8 labels N. */
export async function loadFashionRaw(split: FashionSplit, dir = FASHION_DIR): Promise<Dataset> {
  const images = join(dir, `${split}-images-idx3-ubyte.gz`);
  const labels = join(dir, `${split}-labels-idx1-ubyte.gz`);
  for (const f of [images, labels]) {
    if (!existsSync(f)) throw new Error(`missing ${f}; run: npm run get-data -- fashion-mnist`);
  }
  return new Dataset(await readIdx(images), await readIdx(labels));
}

/** The split preprocessed for the model (float32 N×1×28×28), labels kept as uint8. */
export async function loadFashion(split: FashionSplit, dir = FASHION_DIR): Promise<Dataset> {
  return (await loadFashionRaw(split, dir)).mapX((x) => preprocess(x, FASHION_PREPROCESS));
}
