import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, normalize, resolve, sep } from 'node:path';
import type { ExternalDataReader } from '../../graph/onnx-proto/index.js';
import { ModelLoadError } from '../../graph/shape-inference/index.js';

/**
 * Reads external tensor data relative to the model's directory. Locations must stay inside that
 * directory (no absolute paths, no "..") — a model file must not make us read arbitrary files.
 */
export function externalDataReader(modelDir: string): ExternalDataReader {
  return (location, offset, length) => {
    if (isAbsolute(location) || normalize(location).split(/[\\/]/).includes('..'))
      throw new ModelLoadError(`external data location "${location}" must be a relative path inside the model directory`);
    const path = resolve(modelDir, location);
    if (!path.startsWith(resolve(modelDir) + sep)) throw new ModelLoadError(`external data location "${location}" escapes the model directory`);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw new ModelLoadError(`cannot open external data file "${location}" (${(err as Error).message})`);
    }
    try {
      const size = fstatSync(fd).size;
      const len = length ?? size - offset;
      if (offset < 0 || len < 0 || offset + len > size)
        throw new ModelLoadError(`external data "${location}" is ${size} bytes; offset ${offset} + length ${len} is out of range`);
      const buf = new Uint8Array(len);
      readSync(fd, buf, 0, len, offset);
      return buf;
    } finally {
      closeSync(fd);
    }
  };
}
