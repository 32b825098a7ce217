import type { ConstTensor, TensorValues } from '../types.js';

/**
 * Remembers what a tensor looked like when it was decoded, so the exporter can tell an untouched tensor
 * (write the original proto verbatim) from one an algorithm replaced or edited in place.
 */
interface Snapshot {
  values: TensorValues;
  key: string;
  checksum: number;
}

const snapshots = new WeakMap<object, Snapshot>();

/** FNV-1a over 32-bit words (bytes for odd lengths): ~1 GB/s, enough to notice in-place edits. */
export function checksumValues(values: TensorValues): number {
  let h = 0x811c9dc5;
  if (Array.isArray(values)) {
    for (const s of values) for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return h >>> 0;
  }
  const v = values as ArrayBufferView;
  const words = v.byteLength % 4 === 0 && v.byteOffset % 4 === 0;
  const arr = words ? new Uint32Array(v.buffer, v.byteOffset, v.byteLength / 4) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  for (let i = 0; i < arr.length; i++) h = Math.imul(h ^ arr[i], 16777619);
  return h >>> 0;
}

function keyOf(t: ConstTensor): string {
  return `${t.name}|${t.dtype}|${t.dims.join(',')}`;
}

export function rememberTensor(raw: object, t: ConstTensor): void {
  snapshots.set(raw, { values: t.values, key: keyOf(t), checksum: checksumValues(t.values) });
}

/** True when `t.raw` is a proto decoded for exactly this tensor and nothing changed since. */
export function isTensorUnchanged(t: ConstTensor): boolean {
  return t.raw !== null && typeof t.raw === 'object' && isUnchangedSince(t.raw as object, t);
}

/** True when `t` still matches what was remembered under `key` (any object, e.g. a Constant NodeProto). */
export function isUnchangedSince(key: object, t: ConstTensor): boolean {
  const snap = snapshots.get(key);
  if (!snap || snap.values !== t.values || snap.key !== keyOf(t)) return false;
  return snap.checksum === checksumValues(t.values);
}
