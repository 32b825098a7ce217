/**
 * IDX files (MNIST, Fashion-MNIST): magic 0x00 0x00 <type> <ndims>, then ndims big-endian uint32 dims,
 * then big-endian data. Gzipped files are detected by their signature and decompressed.
 * http://yann.lecun.com/exdb/mnist/ (file formats section)
 */
import { DataError } from './errors.js';
import { readBytes } from './fs.js';
import { maybeGunzip } from './gzip.js';
import { allocTyped, bytesPerElement, shapeSize, type NdArray, type NdDType } from './ndarray.js';
import { swapBytes } from './npy.js';

const TYPE_CODES: Record<number, NdDType> = {
  0x08: 'uint8',
  0x09: 'int8',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** Decodes IDX bytes (raw or gzipped). `where` names the source in error messages. */
export function parseIdx(input: Uint8Array, where = 'IDX data'): NdArray {
  const bytes = maybeGunzip(input, where);
  if (bytes.length < 4) throw new DataError(`${where}: too short for an IDX header (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError(`${where}: wrong magic ${magic}; an IDX file starts with 00 00 <type> <ndims>`);
  }
  const dtype = TYPE_CODES[bytes[2]];
  if (!dtype) throw new DataError(`${where}: unknown IDX data type code 0x${bytes[2].toString(16).padStart(2, '0')}`);
  const ndims = bytes[3];
  if (ndims === 0) throw new DataError(`${where}: IDX header declares 0 dimensions`);
  const dataStart = 4 + 4 * ndims;
  if (bytes.length < dataStart) {
    throw new DataError(`${where}: truncated header: ${ndims} dimensions need ${dataStart} bytes, file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shapeSize(shape);
  const size = bytesPerElement(dtype);
  const need = count * size;
  const have = bytes.length - dataStart;
  if (have < need) {
    throw new DataError(`${where}: truncated data: shape [${shape.join(', ')}] needs ${need} bytes, file has ${have}`);
  }
  if (have > need) throw new DataError(`${where}: ${have - need} unexpected bytes after the data of shape [${shape.join(', ')}]`);
  const out = allocTyped(dtype, count);
  const outBytes = new Uint8Array(out.buffer, 0, need);
  outBytes.set(bytes.subarray(dataStart));
  if (size > 1) swapBytes(outBytes, size);
  return { dtype, shape, data: out };
}

export async function readIdx(path: string): Promise<NdArray> {
  return parseIdx(await readBytes(path), path);
}

/** Encodes an array as (uncompressed) IDX bytes — for fixtures and round trips. */
export function encodeIdx(arr: NdArray): Uint8Array {
  const code = Object.entries(TYPE_CODES).find(([, d]) => d === arr.dtype)?.[0];
  if (code === undefined) throw new DataError(`IDX cannot store dtype ${arr.dtype}`);
  const size = bytesPerElement(arr.dtype);
  const head = 4 + 4 * arr.shape.length;
  const out = new Uint8Array(head + arr.data.length * size);
  out[2] = Number(code);
  out[3] = arr.shape.length;
  const view = new DataView(out.buffer);
  arr.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength), head);
  swapBytes(out.subarray(head), size);
  return out;
}
