/**
 * A float64 interpreter of the ops the gradient rules cover, forward in train mode (BN batch statistics,
 * biased variance) plus mean softmax cross-entropy: the oracle for finite differences, precise enough
 * (h = 1e-5) that the float32 ORT gradients are what is being measured.
 */
import type { Graph } from '../../src/graph/graph.js';
import type { GraphNode } from '../../src/graph/types.js';

export interface T64 {
  shape: number[];
  data: Float64Array;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const strides = (s: number[]) => s.map((_, i) => size(s.slice(i + 1)));
const ints = (n: GraphNode, k: string, d: number[]) =>
  (n.attributes[k]?.value as number[] | undefined)?.map(Number) ?? d;
const num = (n: GraphNode, k: string, d: number) => (n.attributes[k] ? Number(n.attributes[k].value) : d);

function broadcast(a: T64, b: T64, f: (x: number, y: number) => number): T64 {
  const r = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(r - a.shape.length).fill(1), ...a.shape],
    pb = [...Array(r - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const sa = strides(pa),
    sb = strides(pb),
    so = strides(shape);
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    let ia = 0,
      ib = 0;
    for (let d = 0; d < r; d++) {
      const c = Math.floor(i / so[d]) % shape[d];
      if (pa[d] > 1) ia += c * sa[d];
      if (pb[d] > 1) ib += c * sb[d];
    }
    out[i] = f(a.data[ia], b.data[ib]);
  }
  return { shape, data: out };
}

function conv(n: GraphNode, x: T64, w: T64, b?: T64): T64 {
  if (x.shape.length === 3) {
    // 1-D: the 2-D conv of [N, C, 1, L] with a 1×k kernel
    const as2d = (t: T64): T64 => ({ shape: [t.shape[0], t.shape[1], 1, t.shape[2]], data: t.data });
    const one = (a: string, unit: number, dflt: number[]) => {
      const v = ints(n, a, dflt);
      return a === 'pads' ? [0, v[0], 0, v[1]] : [unit, v[0]];
    };
    const attributes = {
      ...n.attributes,
      strides: { type: 'ints', value: one('strides', 1, [1]) },
      dilations: { type: 'ints', value: one('dilations', 1, [1]) },
      pads: { type: 'ints', value: one('pads', 0, [0, 0]) },
    } as GraphNode['attributes'];
    const y = conv({ ...n, attributes }, as2d(x), as2d(w), b);
    return { shape: [y.shape[0], y.shape[1], y.shape[3]], data: y.data };
  }
  const [N, C, H, W] = x.shape,
    [M, Cg, kh, kw] = w.shape;
  const g = num(n, 'group', 1),
    [sh, sw] = ints(n, 'strides', [1, 1]),
    [dh, dw] = ints(n, 'dilations', [1, 1]);
  const [pt, pl, pb, pr] = ints(n, 'pads', [0, 0, 0, 0]);
  const Ho = Math.floor((H + pt + pb - (kh - 1) * dh - 1) / sh) + 1,
    Wo = Math.floor((W + pl + pr - (kw - 1) * dw - 1) / sw) + 1;
  const out = new Float64Array(N * M * Ho * Wo),
    Mg = M / g;
  for (let nn = 0; nn < N; nn++)
    for (let m = 0; m < M; m++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++) {
          let s = b ? b.data[m] : 0;
          const grp = Math.floor(m / Mg);
          for (let c = 0; c < Cg; c++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const y = i * sh - pt + u * dh,
                  z = j * sw - pl + v * dw;
                if (y < 0 || y >= H || z < 0 || z >= W) continue;
                s +=
                  x.data[((nn * C + grp * Cg + c) * H + y) * W + z] *
                  w.data[((m * Cg + c) * kh + u) * kw + v];
              }
          out[((nn * M + m) * Ho + i) * Wo + j] = s;
        }
  return { shape: [N, M, Ho, Wo], data: out };
}

function maxPool(n: GraphNode, x: T64): T64 {
  const [N, C, H, W] = x.shape,
    [kh, kw] = ints(n, 'kernel_shape', [1, 1]),
    [sh, sw] = ints(n, 'strides', [1, 1]);
  const [pt, pl, pb, pr] = ints(n, 'pads', [0, 0, 0, 0]);
  // ceil_mode: one more window where it still starts inside the input or the left/top padding
  const size = (len: number, p0: number, p1: number, k: number, s: number) => {
    if (num(n, 'ceil_mode', 0) !== 1) return Math.floor((len + p0 + p1 - k) / s) + 1;
    const o = Math.ceil((len + p0 + p1 - k) / s) + 1;
    return (o - 1) * s >= len + p0 ? o - 1 : o;
  };
  const Ho = size(H, pt, pb, kh, sh),
    Wo = size(W, pl, pr, kw, sw);
  const out = new Float64Array(N * C * Ho * Wo);
  for (let p = 0; p < N * C; p++)
    for (let i = 0; i < Ho; i++)
      for (let j = 0; j < Wo; j++) {
        let m = -Infinity;
        for (let u = 0; u < kh; u++)
          for (let v = 0; v < kw; v++) {
            const y = i * sh - pt + u,
              z = j * sw - pl + v;
            if (y >= 0 && y < H && z >= 0 && z < W) m = Math.max(m, x.data[(p * H + y) * W + z]);
          }
        out[(p * Ho + i) * Wo + j] = m;
      }
  return { shape: [N, C, Ho, Wo], data: out };
}

function averagePool(n: GraphNode, x: T64): T64 {
  const [N, C, H, W] = x.shape,
    [kh, kw] = ints(n, 'kernel_shape', [1, 1]),
    [sh, sw] = ints(n, 'strides', [1, 1]);
  const [pt, pl, pb, pr] = ints(n, 'pads', [0, 0, 0, 0]),
    include = num(n, 'count_include_pad', 0) === 1;
  const Ho = Math.floor((H + pt + pb - kh) / sh) + 1,
    Wo = Math.floor((W + pl + pr - kw) / sw) + 1;
  const out = new Float64Array(N * C * Ho * Wo);
  for (let p = 0; p < N * C; p++)
    for (let i = 0; i < Ho; i++)
      for (let j = 0; j < Wo; j++) {
        let s = 0,
          count = 0;
        for (let u = 0; u < kh; u++)
          for (let v = 0; v < kw; v++) {
            const y = i * sh - pt + u,
              z = j * sw - pl + v;
            const inside = y >= 0 && y < H && z >= 0 && z < W;
            if (inside) s += x.data[(p * H + y) * W + z];
            if (inside || (include && y >= -pt && y < H + pb && z >= -pl && z < W + pr)) count++;
          }
        out[(p * Ho + i) * Wo + j] = s / count;
      }
  return { shape: [N, C, Ho, Wo], data: out };
}

function batchNormTrain(n: GraphNode, x: T64, g: T64, b: T64): T64 {
  const [N, C] = x.shape,
    inner = size(x.shape.slice(2)),
    eps = num(n, 'epsilon', 1e-5),
    out = new Float64Array(x.data.length);
  for (let c = 0; c < C; c++) {
    let s = 0,
      q = 0;
    for (let k = 0; k < N; k++) for (let i = 0; i < inner; i++) s += x.data[(k * C + c) * inner + i];
    const mean = s / (N * inner);
    for (let k = 0; k < N; k++)
      for (let i = 0; i < inner; i++) q += (x.data[(k * C + c) * inner + i] - mean) ** 2;
    const inv = 1 / Math.sqrt(q / (N * inner) + eps);
    for (let k = 0; k < N; k++)
      for (let i = 0; i < inner; i++) {
        const at = (k * C + c) * inner + i;
        out[at] = (x.data[at] - mean) * inv * g.data[c] + b.data[c];
      }
  }
  return { shape: x.shape, data: out };
}

function gemm(n: GraphNode, a: T64, b: T64, c?: T64): T64 {
  const tA = num(n, 'transA', 0),
    tB = num(n, 'transB', 0),
    alpha = num(n, 'alpha', 1),
    beta = num(n, 'beta', 1);
  const [M, K] = tA ? [a.shape[1], a.shape[0]] : a.shape,
    Nn = tB ? b.shape[0] : b.shape[1];
  const out = new Float64Array(M * Nn);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < Nn; j++) {
      let s = 0;
      for (let k = 0; k < K; k++)
        s += (tA ? a.data[k * M + i] : a.data[i * K + k]) * (tB ? b.data[j * K + k] : b.data[k * Nn + j]);
      out[i * Nn + j] = alpha * s;
    }
  const y = { shape: [M, Nn], data: out };
  return c ? broadcast(y, c, (p, q) => p + beta * q) : y;
}

function concat(n: GraphNode, xs: T64[]): T64 {
  const r = xs[0].shape.length,
    axis = (num(n, 'axis', 0) + r) % r;
  const outer = size(xs[0].shape.slice(0, axis)),
    shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  const parts: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const x of xs) {
      const len = size(x.shape.slice(axis));
      parts.push(...x.data.subarray(o * len, (o + 1) * len));
    }
  return { shape, data: Float64Array.from(parts) };
}

/** erf by its Taylor series (|x| < 3 here; float64-exact enough for h = 1e-5 differences). */
function erf(x: number): number {
  if (Math.abs(x) > 5) return Math.sign(x);
  let term = x,
    sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-17; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

function matmul(a: T64, b: T64): T64 {
  const [M, K] = a.shape.slice(-2),
    N = b.shape[b.shape.length - 1];
  const batch =
    a.shape.slice(0, -2).length >= b.shape.slice(0, -2).length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  const nb = size(batch),
    out = new Float64Array(nb * M * N);
  const pick = (t: T64, i: number) => (size(t.shape.slice(0, -2)) === 1 ? 0 : i);
  for (let i = 0; i < nb; i++)
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++)
          s += a.data[pick(a, i) * M * K + m * K + k] * b.data[pick(b, i) * K * N + k * N + n];
        out[(i * M + m) * N + n] = s;
      }
  return { shape: [...batch, M, N], data: out };
}

function transpose(x: T64, perm: number[]): T64 {
  const shape = perm.map((p) => x.shape[p]),
    si = strides(x.shape),
    so = strides(shape),
    out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let d = 0; d < shape.length; d++) src += (Math.floor(i / so[d]) % shape[d]) * si[perm[d]];
    out[i] = x.data[src];
  }
  return { shape, data: out };
}

/** Applies f to each 1-D lane along `axis` (f rewrites the lane in place). */
function lanes(x: T64, axis: number, f: (lane: number[]) => number[]): T64 {
  const inner = size(x.shape.slice(axis + 1)),
    len = x.shape[axis],
    outer = size(x.shape.slice(0, axis)),
    out = Float64Array.from(x.data);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const idx = Array.from({ length: len }, (_, k) => (o * len + k) * inner + i);
      f(idx.map((j) => x.data[j])).forEach((v, k) => (out[idx[k]] = v));
    }
  return { shape: x.shape, data: out };
}

/** Reduces `axes` (sorted) with keepdims. */
function reduce(x: T64, axes: number[], mean: boolean, keep: boolean): T64 {
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    so = strides(shape),
    si = strides(x.shape);
  const out = new Float64Array(size(shape)),
    count = size(axes.map((a) => x.shape[a]));
  for (let i = 0; i < x.data.length; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++)
      if (!axes.includes(d)) o += (Math.floor(i / si[d]) % x.shape[d]) * so[d];
    out[o] += x.data[i] / (mean ? count : 1);
  }
  return { shape: keep ? shape : x.shape.filter((_, i) => !axes.includes(i)), data: out };
}

function reshape(x: T64, target: number[]): T64 {
  const dims = target.map((d, i) => (d === 0 ? x.shape[i] : d));
  const known = size(dims.filter((d) => d !== -1));
  return { shape: dims.map((d) => (d === -1 ? x.data.length / known : d)), data: x.data };
}

/** Mean softmax cross-entropy of the graph's first output, every value in float64. */
export function lossF64(graph: Graph, values: Map<string, T64>, labels: number[]): number {
  const env = new Map(values);
  for (const [k, t] of graph.initializers)
    if (!env.has(k))
      env.set(k, { shape: t.dims, data: Float64Array.from(t.values as ArrayLike<number>, Number) });
  for (const n of graph.nodes) {
    const i = n.inputs.map((name) => (name ? env.get(name)! : undefined));
    const flat = (x: T64, axis: number) => reshape(x, [size(x.shape.slice(0, axis)), -1]);
    const ops: Record<string, () => T64> = {
      Conv: () => conv(n, i[0]!, i[1]!, i[2]),
      BatchNormalization: () => batchNormTrain(n, i[0]!, i[1]!, i[2]!),
      Relu: () => ({ shape: i[0]!.shape, data: i[0]!.data.map((v) => Math.max(v, 0)) }),
      Clip: () => ({
        shape: i[0]!.shape,
        data: i[0]!.data.map((v) =>
          Math.min(Math.max(v, i[1] ? i[1].data[0] : -Infinity), i[2] ? i[2].data[0] : Infinity),
        ),
      }),
      Add: () => broadcast(i[0]!, i[1]!, (a, b) => a + b),
      Sub: () => broadcast(i[0]!, i[1]!, (a, b) => a - b),
      Mul: () => broadcast(i[0]!, i[1]!, (a, b) => a * b),
      MaxPool: () => maxPool(n, i[0]!),
      AveragePool: () => averagePool(n, i[0]!),
      GlobalAveragePool: () => {
        const [N, C] = i[0]!.shape,
          k = i[0]!.data.length / (N * C);
        return {
          shape: [N, C, 1, 1],
          data: Float64Array.from(
            { length: N * C },
            (_, p) => i[0]!.data.subarray(p * k, (p + 1) * k).reduce((a, b) => a + b, 0) / k,
          ),
        };
      },
      Flatten: () => flat(i[0]!, num(n, 'axis', 1)),
      Reshape: () => reshape(i[0]!, Array.from(i[1]!.data)),
      Gemm: () => gemm(n, i[0]!, i[1]!, i[2]),
      Concat: () => concat(n, i as T64[]),
      MatMul: () => matmul(i[0]!, i[1]!),
      Sigmoid: () => ({ shape: i[0]!.shape, data: i[0]!.data.map((v) => 1 / (1 + Math.exp(-v))) }),
      Tanh: () => ({ shape: i[0]!.shape, data: i[0]!.data.map(Math.tanh) }),
      LeakyRelu: () => ({
        shape: i[0]!.shape,
        data: i[0]!.data.map((v) => (v > 0 ? v : num(n, 'alpha', 0.01) * v)),
      }),
      HardSigmoid: () => ({
        shape: i[0]!.shape,
        data: i[0]!.data.map((v) => Math.min(1, Math.max(0, num(n, 'alpha', 0.2) * v + num(n, 'beta', 0.5)))),
      }),
      HardSwish: () => ({
        shape: i[0]!.shape,
        data: i[0]!.data.map((v) => v * Math.min(1, Math.max(0, v / 6 + 0.5))),
      }),
      Gather: () => {
        const rows = Array.from(i[1]!.data),
          width = size(i[0]!.shape.slice(1));
        return {
          shape: [...i[1]!.shape, ...i[0]!.shape.slice(1)],
          data: Float64Array.from(
            rows.flatMap((r) => Array.from(i[0]!.data.subarray(r * width, (r + 1) * width))),
          ),
        };
      },
      Transpose: () => transpose(i[0]!, ints(n, 'perm', [...i[0]!.shape.keys()].reverse())),
      Softmax: () =>
        lanes(i[0]!, (num(n, 'axis', -1) + i[0]!.shape.length) % i[0]!.shape.length, (l) => {
          const m = Math.max(...l),
            e = l.map((v) => Math.exp(v - m)),
            z = e.reduce((a, b) => a + b, 0);
          return e.map((v) => v / z);
        }),
      Erf: () => ({ shape: i[0]!.shape, data: i[0]!.data.map(erf) }),
      Sqrt: () => ({ shape: i[0]!.shape, data: i[0]!.data.map(Math.sqrt) }),
      Div: () => broadcast(i[0]!, i[1]!, (a, b) => a / b),
      Pow: () => broadcast(i[0]!, i[1]!, (a, b) => a ** b),
      ReduceMean: () =>
        reduce(
          i[0]!,
          ints(n, 'axes', [])
            .map((a) => (a + i[0]!.shape.length) % i[0]!.shape.length)
            .sort(),
          true,
          num(n, 'keepdims', 1) === 1,
        ),
      ReduceSum: () =>
        reduce(
          i[0]!,
          Array.from(i[1]!.data)
            .map((a) => (a + i[0]!.shape.length) % i[0]!.shape.length)
            .sort(),
          false,
          num(n, 'keepdims', 1) === 1,
        ),
      LayerNormalization: () => {
        const r = i[0]!.shape.length,
          axis = (num(n, 'axis', -1) + r) % r,
          eps = num(n, 'epsilon', 1e-5);
        const axes = Array.from({ length: r - axis }, (_, k) => k + axis);
        const centred = broadcast(i[0]!, reduce(i[0]!, axes, true, true), (a, b) => a - b);
        const inv = reduce(
          broadcast(centred, centred, (a, b) => a * b),
          axes,
          true,
          true,
        );
        const xHat = broadcast(centred, inv, (a, v) => a / Math.sqrt(v + eps));
        return broadcast(
          broadcast(xHat, i[1]!, (a, b) => a * b),
          i[2]!,
          (a, b) => a + b,
        );
      },
    };
    const f = ops[n.opType];
    if (!f) throw new Error(`f64 reference: no ${n.opType}`);
    env.set(n.outputs[0], f());
  }
  const logits = env.get(graph.outputs[0].name)!;
  const [B, C] = logits.shape;
  let total = 0;
  for (let b = 0; b < B; b++) {
    const row = logits.data.subarray(b * C, (b + 1) * C),
      m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    total += lse - row[labels[b]];
  }
  return total / B;
}
