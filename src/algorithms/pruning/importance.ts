/**
 * Filter importance (NNCF filter_pruning/functions.py): per filter along `axis` of a weight, the L1
 * norm, the L2 norm, or the geometric-median distance Σ_j ||f_i − f_j||₂ (sum of distances to all
 * filters). `normalize` divides the whole weight by its L2 norm first (all_weights ranking).
 */
export type FilterImportance = 'L1' | 'L2' | 'geometric_median';

/** The weight as one row per filter. */
export function filterRows(values: ArrayLike<number>, dims: readonly number[], axis: number): Float64Array[] {
  const n = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const rows = Array.from({ length: n }, () => new Float64Array(outer * inner));
  for (let o = 0; o < outer; o++)
    for (let f = 0; f < n; f++) {
      const base = (o * n + f) * inner;
      const row = rows[f];
      for (let i = 0; i < inner; i++) row[o * inner + i] = values[base + i];
    }
  return rows;
}

export function filterImportance(kind: FilterImportance, values: ArrayLike<number>, dims: readonly number[], axis: number, normalize = false): Float64Array {
  const rows = filterRows(values, dims, axis);
  if (normalize) {
    let ss = 0;
    for (let i = 0; i < values.length; i++) ss += values[i] * values[i];
    const norm = Math.sqrt(ss);
    for (const r of rows) for (let i = 0; i < r.length; i++) r[i] /= norm;
  }
  const out = new Float64Array(rows.length);
  if (kind === 'geometric_median') {
    for (let i = 0; i < rows.length; i++)
      for (let j = i + 1; j < rows.length; j++) {
        let d = 0;
        for (let k = 0; k < rows[i].length; k++) d += (rows[i][k] - rows[j][k]) ** 2;
        const dist = Math.sqrt(d);
        out[i] += dist;
        out[j] += dist;
      }
    return out;
  }
  rows.forEach((r, f) => {
    let s = 0;
    if (kind === 'L1') for (const v of r) s += Math.abs(v);
    else {
      for (const v of r) s += v * v;
      s = Math.sqrt(s);
    }
    out[f] = s;
  });
  return out;
}
