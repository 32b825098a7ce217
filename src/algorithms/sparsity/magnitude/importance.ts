/**
 * Magnitude importances and NNCF's threshold rule (nncf/torch/sparsity/magnitude): `abs` = |w|,
 * `normed_abs` = |w| / ‖w‖₂ of the layer's weight, in float32; the threshold for level L over a set of
 * layers is sorted(concatenated importances)[int((N − 1)·L)], and a weight is kept iff importance > thr.
 */
export type WeightImportance = 'abs' | 'normed_abs';

export function importance(weight: Float32Array, kind: WeightImportance): Float32Array {
  const out = new Float32Array(weight.length);
  if (kind === 'abs') {
    for (let i = 0; i < weight.length; i++) out[i] = Math.abs(weight[i]);
    return out;
  }
  let sq = 0;
  for (let i = 0; i < weight.length; i++) sq += weight[i] * weight[i];
  const norm = Math.fround(Math.sqrt(sq));
  for (let i = 0; i < weight.length; i++) out[i] = Math.abs(weight[i]) / norm;
  return out;
}

export function selectThreshold(importances: readonly Float32Array[], level: number): number {
  const n = importances.reduce((a, x) => a + x.length, 0);
  if (n === 0) return 0;
  const all = new Float32Array(n);
  let at = 0;
  for (const x of importances) {
    all.set(x, at);
    at += x.length;
  }
  all.sort();
  return all[Math.trunc((n - 1) * level)];
}

/** 1 where importance > threshold (strict), else 0. */
export function binaryMask(imp: Float32Array, threshold: number): Float32Array {
  const out = new Float32Array(imp.length);
  for (let i = 0; i < imp.length; i++) out[i] = imp[i] > threshold ? 1 : 0;
  return out;
}
