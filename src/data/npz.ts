/** NumPy .npz archives (a zip of .npy files, stored or deflated), via fflate. */
import { unzipSync, zipSync } from 'fflate';
import { DataError } from './errors.js';
import { readBytes, writeFileAtomic } from './fs.js';
import type { NdArray } from './ndarray.js';
import { encodeNpy, parseNpy } from './npy.js';

/** Decodes an .npz archive into its arrays, keyed by name without the `.npy` suffix, in archive order. */
export function parseNpz(bytes: Uint8Array, where = '.npz data'): Record<string, NdArray> {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new DataError(`${where}: not a .npz file (no zip signature)`);
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (err) {
    throw new DataError(`${where}: corrupt zip archive (${(err as Error).message})`);
  }
  const out: Record<string, NdArray> = {};
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith('/')) continue;
    out[name.replace(/\.npy$/, '')] = parseNpy(content, `${where}[${name}]`);
  }
  return out;
}

/** Encodes arrays as an .npz archive (like numpy.savez, or savez_compressed with `compress`). */
export function encodeNpz(arrays: Record<string, NdArray>, compress = false): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, arr] of Object.entries(arrays)) files[`${name}.npy`] = encodeNpy(arr);
  return zipSync(files, { level: compress ? 6 : 0 });
}

export async function readNpz(path: string): Promise<Record<string, NdArray>> {
  return parseNpz(await readBytes(path), path);
}

export async function writeNpz(path: string, arrays: Record<string, NdArray>, compress = false): Promise<void> {
  await writeFileAtomic(path, encodeNpz(arrays, compress));
}
