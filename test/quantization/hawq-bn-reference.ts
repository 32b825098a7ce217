/**
 * A float64 reference for HAWQ traces on a small CNN with BatchNorm, written independently of the
 * engine: x [N,1,S,S] → Conv 3×3 (pad 1, C channels) → BatchNorm → ReLU → Flatten → Gemm (K classes)
 * → mean softmax cross-entropy. BatchNorm either normalises with the batch's own statistics (biased
 * variance: training mode) or with the running statistics (eval mode). The Hessian with respect to
 * (conv weight, fc weight) is taken by central second differences of the loss in float64, so the test
 * compares the engine's float32 Hutchinson estimate with an exact expectation and a stated variance.
 */

export interface BnCnnParams {
  S: number;
  C: number;
  K: number;
  convW: Float64Array; // [C,1,3,3]
  convB: Float64Array; // [C]
  gamma: Float64Array;
  beta: Float64Array;
  runMean: Float64Array;
  runVar: Float64Array;
  fcW: Float64Array; // [K, C·S·S]
  fcB: Float64Array; // [K]
  eps: number;
}

export interface Batch {
  x: Float64Array; // [N,1,S,S]
  y: Int32Array; // [N]
  n: number;
}

/** Mean cross-entropy of one batch; `w` = conv weights then fc weights (flattened, row-major). */
export function loss(p: BnCnnParams, w: Float64Array, b: Batch, training: boolean): number {
  const { S, C, K } = p;
  const nConv = C * 9;
  const HW = S * S;
  const conv = new Float64Array(b.n * C * HW);
  for (let n = 0; n < b.n; n++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < S; i++)
        for (let j = 0; j < S; j++) {
          let s = p.convB[c];
          for (let di = 0; di < 3; di++)
            for (let dj = 0; dj < 3; dj++) {
              const ii = i + di - 1;
              const jj = j + dj - 1;
              if (ii >= 0 && ii < S && jj >= 0 && jj < S) s += w[c * 9 + di * 3 + dj] * b.x[n * HW + ii * S + jj];
            }
          conv[(n * C + c) * HW + i * S + j] = s;
        }
  const act = new Float64Array(conv.length);
  for (let c = 0; c < C; c++) {
    let mean = p.runMean[c];
    let variance = p.runVar[c];
    if (training) {
      mean = 0;
      for (let n = 0; n < b.n; n++) for (let k = 0; k < HW; k++) mean += conv[(n * C + c) * HW + k];
      mean /= b.n * HW;
      variance = 0;
      for (let n = 0; n < b.n; n++) for (let k = 0; k < HW; k++) variance += (conv[(n * C + c) * HW + k] - mean) ** 2;
      variance /= b.n * HW;
    }
    const scale = p.gamma[c] / Math.sqrt(variance + p.eps);
    for (let n = 0; n < b.n; n++)
      for (let k = 0; k < HW; k++) {
        const idx = (n * C + c) * HW + k;
        act[idx] = Math.max(0, (conv[idx] - mean) * scale + p.beta[c]);
      }
  }
  const F = C * HW;
  let total = 0;
  for (let n = 0; n < b.n; n++) {
    const z = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      let s = p.fcB[k];
      for (let f = 0; f < F; f++) s += w[nConv + k * F + f] * act[n * F + f];
      z[k] = s;
    }
    const m = Math.max(...z);
    let se = 0;
    for (let k = 0; k < K; k++) se += Math.exp(z[k] - m);
    total += m + Math.log(se) - z[b.y[n]];
  }
  return total / b.n;
}

/** Dense Hessian of the loss averaged over `batches` (NNCF averages Hv over its batches), by central second differences. */
export function hessian(p: BnCnnParams, batches: readonly Batch[], training: boolean, h = 1e-5): number[][] {
  const w0 = Float64Array.from([...p.convW, ...p.fcW]);
  const P = w0.length;
  const H = Array.from({ length: P }, () => new Array<number>(P).fill(0));
  const L = (w: Float64Array) => batches.reduce((a, b) => a + loss(p, w, b, training), 0) / batches.length;
  const w = Float64Array.from(w0);
  const at = (i: number, di: number, j: number, dj: number) => {
    w.set(w0);
    w[i] += di;
    w[j] += dj;
    return L(w);
  };
  const l0 = L(w0);
  for (let i = 0; i < P; i++) {
    H[i][i] = (at(i, h, i, 0) - 2 * l0 + at(i, -h, i, 0)) / (h * h);
    for (let j = i + 1; j < P; j++) {
      const v = (at(i, h, j, h) - at(i, h, j, -h) - at(i, -h, j, h) + at(i, -h, j, -h)) / (4 * h * h);
      H[i][j] = v;
      H[j][i] = v;
    }
  }
  return H;
}

/**
 * Exact average trace of each block [start, end) of H (what Hutchinson estimates) and the standard
 * deviation of one Rademacher sample of it: X = Σ_{j∈p} v_j (Hv)_j / n_p has variance
 * (4 Σ_{j<k∈p} H_jk² + Σ_{j∈p, k∉p} H_jk²) / n_p².
 */
export function blockTraces(H: number[][], blocks: [number, number][]): { trace: number; sigma: number }[] {
  return blocks.map(([s, e]) => {
    const n = e - s;
    let tr = 0;
    let v = 0;
    for (let j = s; j < e; j++) {
      tr += H[j][j];
      for (let k = 0; k < H.length; k++) {
        if (k === j) continue;
        if (k >= s && k < e) v += k > j ? 4 * H[j][k] ** 2 : 0;
        else v += H[j][k] ** 2;
      }
    }
    return { trace: tr / n, sigma: Math.sqrt(v) / n };
  });
}
