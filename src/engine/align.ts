import * as tf from '@tensorflow/tfjs-core';
import { canonical, isIdentityPerm, permute, withPerm, type Value } from './value.js';

/**
 * Brings the inputs of an elementwise (broadcasting) op into one common layout so that no
 * channels-last activation is transposed back: the layout of the first full-rank permuted input wins;
 * lower-rank operands (biases like [C,1,1]) are right-aligned as in ONNX broadcasting, then permuted
 * (a reshape when only one dim is not 1, which is the usual case).
 */
export function alignElementwise(vals: (Value | undefined)[]): { tensors: (tf.Tensor | undefined)[]; perm: number[] | null } {
  let maxRank = 0;
  for (const v of vals) if (v) maxRank = Math.max(maxRank, v.t.rank);
  const target = vals.find((v) => v && v.t.rank === maxRank && !isIdentityPerm(v.perm))?.perm ?? null;
  if (target === null) return { tensors: vals.map((v) => v && canonical(v)), perm: null };
  const tensors = vals.map((v) => {
    if (!v) return undefined;
    if (v.t.rank === maxRank) return withPerm(v, target);
    const t = canonical(v);
    if (t.rank === 0) return t;
    const padded = [...new Array<number>(maxRank - t.rank).fill(1), ...t.shape];
    return permute(tf.reshape(t, padded), target);
  });
  return { tensors, perm: target };
}
