/**
 * NumPy .npy files (format versions 1.0, 2.0, 3.0). Reading accepts little- and big-endian data and C or
 * Fortran order (Fortran arrays are converted to C order); writing produces little-endian C order.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { DataError } from './errors.js';
import { readBytes, writeFileAtomic } from './fs.js';
import { allocTyped, bytesPerElement, ndarray, shapeSize, type NdArray, type NdDType } from './ndarray.js';
import { fortranToC } from './transpose.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const KIND_SIZE_TO_DTYPE: Record<string, NdDType> = {
  f2: 'float16', f4: 'float32', f8: 'float64',
  i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
  u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64',
  b1: 'bool',
};

const DTYPE_TO_DESCR: Record<NdDType, string> = {
  float16: '<f2', float32: '<f4', float64: '<f8',
  int8: '|i1', int16: '<i2', int32: '<i4', int64: '<i8',
  uint8: '|u1', uint16: '<u2', uint32: '<u4', uint64: '<u8',
  bool: '|b1',
};

interface NpyHeader {
  dtype: NdDType;
  bigEndian: boolean;
  fortran: boolean;
  shape: number[];
}

function parseHeader(text: string, where: string): NpyHeader {
  const descr = /'descr'\s*:\s*(['"])(.*?)\1/.exec(text);
  if (!descr) {
    if (/'descr'\s*:\s*\[/.test(text)) throw new DataError(`${where}: structured dtypes are not supported`);
    throw new DataError(`${where}: header has no 'descr' (${JSON.stringify(text.trim())})`);
  }
  const m = /^([<>|=])?([a-zA-Z])(\d+)$/.exec(descr[2]);
  const dtype = m ? KIND_SIZE_TO_DTYPE[m[2] + m[3]] : undefined;
  if (!m || !dtype) throw new DataError(`${where}: unsupported dtype '${descr[2]}'`);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  if (!fortran) throw new DataError(`${where}: header has no 'fortran_order'`);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!shape) throw new DataError(`${where}: header has no 'shape'`);
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+$/.test(s)) throw new DataError(`${where}: bad shape (${shape[1]})`);
      return Number(s);
    });
  return { dtype, bigEndian: m[1] === '>', fortran: fortran[1] === 'True', shape: dims };
}

/** Decodes the bytes of a .npy file. `where` names the source in error messages. */
export function parseNpy(bytes: Uint8Array, where = '.npy data'): NdArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataError(`${where}: not a .npy file (missing \\x93NUMPY magic)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataError(`${where}: truncated header`);
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new DataError(`${where}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (start + headerLen > bytes.length) throw new DataError(`${where}: truncated header`);
  const decoder = new TextDecoder(major === 3 ? 'utf-8' : 'latin1');
  const header = parseHeader(decoder.decode(bytes.subarray(start, start + headerLen)), where);
  const dataStart = start + headerLen;
  const count = shapeSize(header.shape);
  const size = bytesPerElement(header.dtype);
  const need = count * size;
  const have = bytes.length - dataStart;
  if (have < need) {
    throw new DataError(`${where}: truncated data: shape [${header.shape.join(', ')}] needs ${need} bytes, file has ${have}`);
  }
  const out = allocTyped(header.dtype, count);
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, need);
  outBytes.set(bytes.subarray(dataStart, dataStart + need));
  if (header.bigEndian && size > 1) swapBytes(outBytes, size);
  if (header.dtype === 'bool') {
    for (let i = 0; i < count; i++) if (outBytes[i] > 1) outBytes[i] = 1;
  }
  const arr = ndarray(header.dtype, header.shape, out);
  return header.fortran && header.shape.length > 1 ? fortranToC(arr) : arr;
}

/** Reverses the byte order of each `size`-byte element in place. */
export function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

export interface NpyWriteOptions {
  /** Format version; default 1 (or 2 when the header does not fit in 64 KiB). */
  version?: 1 | 2 | 3;
}

/** Encodes an array as a little-endian, C-order .npy file. */
export function encodeNpy(arr: NdArray, options: NpyWriteOptions = {}): Uint8Array {
  const dims = arr.shape.length === 1 ? `${arr.shape[0]},` : arr.shape.join(', ');
  let dict = `{'descr': '${DTYPE_TO_DESCR[arr.dtype]}', 'fortran_order': False, 'shape': (${dims}), }`;
  let version = options.version ?? 1;
  if (version === 1 && dict.length + 11 > 0xffff) version = 2;
  const prefix = version === 1 ? 10 : 12;
  const pad = (64 - ((prefix + dict.length + 1) % 64)) % 64;
  dict += ' '.repeat(pad) + '\n';
  const header = new TextEncoder().encode(dict);
  const data = new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength);
  const out = new Uint8Array(prefix + header.length + data.length);
  out.set(MAGIC);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, prefix);
  out.set(data, prefix + header.length);
  return out;
}

export async function readNpy(path: string): Promise<NdArray> {
  return parseNpy(await readBytes(path), path);
}

/** Writes a .npy file atomically (temp file + rename). */
export async function writeNpy(path: string, arr: NdArray, options?: NpyWriteOptions): Promise<void> {
  await writeFileAtomic(path, encodeNpy(arr, options));
}
