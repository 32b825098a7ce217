/**
 * Checkpoint container: "NNCFTSCK" | u32 version | u32 header length | header JSON | tensor bytes |
 * SHA-256 of everything before it. Tensors are float32, stored bit-exactly; the header lists them.
 * Writing goes through a temp file, fsync, rename and a directory fsync, so a reader (or a crash at any
 * moment, SIGKILL included) only ever sees the previous complete checkpoint or the new complete one.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeFsError } from '../data/index.js';
import { CheckpointError } from './errors.js';

const MAGIC = 'NNCFTSCK';
const VERSION = 1;

export interface StoredTensor {
  shape: number[];
  data: Float32Array;
}

interface TensorEntry {
  key: string;
  shape: number[];
  offset: number;
  length: number;
}

/** Encodes JSON metadata plus named float32 tensors. */
export function encodeCheckpoint(meta: unknown, tensors: ReadonlyMap<string, StoredTensor>): Buffer {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [key, t] of tensors) {
    entries.push({ key, shape: t.shape, offset, length: t.data.length });
    offset += t.data.byteLength;
  }
  const header = Buffer.from(JSON.stringify({ meta, tensors: entries }), 'utf8');
  const out = Buffer.alloc(16 + header.length + offset + 32);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(VERSION, 8);
  out.writeUInt32LE(header.length, 12);
  header.copy(out, 16);
  let at = 16 + header.length;
  for (const t of tensors.values()) {
    Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(out, at);
    at += t.data.byteLength;
  }
  createHash('sha256').update(out.subarray(0, at)).digest().copy(out, at);
  return out;
}

export function decodeCheckpoint(buf: Buffer, where: string): { meta: unknown; tensors: Map<string, StoredTensor> } {
  if (buf.length < 48 || buf.toString('latin1', 0, 8) !== MAGIC) throw new CheckpointError(`${where} is not an nncf-ts checkpoint`);
  const version = buf.readUInt32LE(8);
  if (version !== VERSION) throw new CheckpointError(`${where}: checkpoint version ${version} is not supported (expected ${VERSION})`);
  const body = buf.subarray(0, buf.length - 32);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(buf.subarray(buf.length - 32))) throw new CheckpointError(`${where} is truncated or corrupt (checksum mismatch)`);
  const headerLen = buf.readUInt32LE(12);
  const { meta, tensors } = JSON.parse(buf.toString('utf8', 16, 16 + headerLen)) as { meta: unknown; tensors: TensorEntry[] };
  const base = 16 + headerLen;
  const out = new Map<string, StoredTensor>();
  for (const e of tensors) {
    const bytes = buf.subarray(base + e.offset, base + e.offset + e.length * 4);
    const data = new Float32Array(e.length);
    new Uint8Array(data.buffer).set(bytes);
    out.set(e.key, { shape: e.shape, data });
  }
  return { meta, tensors: out };
}

/**
 * temp file + fsync + rename + fsync(dir). Stale temp files of killed writers are removed first.
 * A file-system failure names the checkpoint path, not the temp file.
 */
export function writeCheckpointFile(path: string, bytes: Uint8Array): void {
  try {
    writeThroughTemp(path, bytes);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!e.syscall) throw err;
    throw new CheckpointError(`cannot write checkpoint ${path}: ${describeFsError(e)}`);
  }
}

function writeThroughTemp(path: string, bytes: Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const prefix = `.${basename(path)}.`;
  for (const f of readdirSync(dir)) if (f.startsWith(prefix) && f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
  const tmp = join(dir, `${prefix}${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const chunk = 1 << 20;
    for (let at = 0; at < bytes.length; at += chunk) writeSync(fd, bytes, at, Math.min(chunk, bytes.length - at));
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  try {
    const dfd = openSync(dir, 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // directories cannot be fsynced on some platforms; the rename is still atomic
  }
}

export function readCheckpointFile(path: string): { meta: unknown; tensors: Map<string, StoredTensor> } {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    throw new CheckpointError(`cannot read checkpoint ${path}: no such file`);
  }
  return decodeCheckpoint(buf, path);
}
