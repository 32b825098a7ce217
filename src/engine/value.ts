import * as tf from '@tensorflow/tfjs-core';

/**
 * A tensor as the engine holds it: `t` is the ONNX tensor transposed by `perm`
 * (stored = transpose(onnx, perm)); perm null means ONNX layout. Conv/pool outputs carry the
 * channels-last perm [0,2,3,1], so runs of layout-agnostic ops never transpose; a Transpose node
 * only relabels `perm`. `canon` caches the materialised ONNX-layout tensor.
 */
export interface Value {
  t: tf.Tensor;
  perm: number[] | null;
  canon?: tf.Tensor;
}

export function plain(t: tf.Tensor): Value {
  return { t, perm: null };
}

export function isIdentityPerm(p: readonly number[] | null): boolean {
  return p === null || p.every((v, i) => v === i);
}

export function invertPerm(p: readonly number[]): number[] {
  const inv = new Array<number>(p.length);
  p.forEach((v, i) => (inv[v] = i));
  return inv;
}

/** Channels-last perm for an ONNX tensor of this rank: [0, 2, ..., r-1, 1]. */
export function channelsLastPerm(rank: number): number[] | null {
  if (rank < 3) return null;
  const p = [0];
  for (let i = 2; i < rank; i++) p.push(i);
  p.push(1);
  return p;
}

/** The ONNX (canonical) shape of a value. */
export function onnxShape(v: Value): number[] {
  if (isIdentityPerm(v.perm)) return v.t.shape;
  const s = new Array<number>(v.t.shape.length);
  v.perm!.forEach((src, i) => (s[src] = v.t.shape[i]));
  return s;
}

/** Where ONNX axis `axis` lives in the stored tensor. */
export function storedAxis(v: Value, axis: number): number {
  return isIdentityPerm(v.perm) ? axis : v.perm!.indexOf(axis);
}

/** The value in ONNX layout (transposes once per value, cached). */
export function canonical(v: Value): tf.Tensor {
  if (isIdentityPerm(v.perm)) return v.t;
  if (!v.canon) v.canon = permute(v.t, invertPerm(v.perm!));
  return v.canon;
}

/** The value stored with layout `perm` (null = ONNX layout), transposing at most once. */
export function withPerm(v: Value, perm: readonly number[] | null): tf.Tensor {
  const want = isIdentityPerm(perm) ? null : perm;
  const have = isIdentityPerm(v.perm) ? null : v.perm;
  if (want === null) return canonical(v);
  if (have !== null && have.length === want.length && have.every((x, i) => x === want[i])) return v.t;
  if (have === null) return permute(v.t, want);
  // stored_have = T(onnx, have); want T(onnx, want) = T(stored_have, q) with q[i] = have^-1[want[i]]
  const inv = invertPerm(have);
  return permute(v.t, want.map((a) => inv[a]));
}

/** transpose(t, perm), as a free reshape when the non-unit dims keep their order (e.g. [N,1,1,C] → [N,C,1,1]). */
export function permute(t: tf.Tensor, perm: readonly number[]): tf.Tensor {
  const nonUnit = perm.filter((a) => t.shape[a] !== 1);
  if (nonUnit.every((a, i) => i === 0 || nonUnit[i - 1] < a)) return tf.reshape(t, perm.map((a) => t.shape[a]));
  return tf.transpose(t, [...perm]);
}
