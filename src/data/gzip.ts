import { gunzipSync } from 'node:zlib';
import { DataError } from './errors.js';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips `bytes` when they carry the gzip signature, else returns them unchanged. */
export function maybeGunzip(bytes: Uint8Array, where: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    const buf = gunzipSync(bytes);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    throw new DataError(`${where}: corrupt or truncated gzip data (${(err as Error).message})`);
  }
}
