/**
 * Test helpers for the quantized exporters: hand-made quantizer specs from calibration statistics
 * (placement in the spirit of NNCF: a per-channel weight quantizer per Conv/Gemm, activation quantizers
 * on the float inputs of Conv/Gemm/Add/GlobalAveragePool), and an independent reference: the FP32 model
 * with fake-quantized weights (plain JS, spec/algorithms.md §1.2) and activation fake quantization
 * written as float ONNX ops, run in onnxruntime.
 */
import { Graph } from '../../src/graph/graph.js';
import type { GraphNode } from '../../src/graph/types.js';
import { parseOnnx } from '../../src/frontends/onnx/index.js';
import { exportOnnx, type QuantizerExportSpec } from '../../src/exporters/onnx/index.js';
import { runOrt, withAllOutputs, type Feeds } from './ort-utils.js';

export type Stats = Map<string, { min: number; max: number }>;

/** Min/max of every edge over the feeds (FP32 model in ORT). */
export async function collectStats(bytes: Uint8Array, feeds: Feeds): Promise<Stats> {
  const graph = parseOnnx(bytes);
  const res = await runOrt(withAllOutputs(graph), feeds);
  const stats: Stats = new Map();
  for (const [name, v] of Object.entries(res)) {
    let min = Infinity, max = -Infinity;
    for (const x of v.data as Float32Array) { if (x < min) min = x; if (x > max) max = x; }
    stats.set(name, { min, max });
  }
  for (const [name, v] of Object.entries(feeds)) {
    let min = Infinity, max = -Infinity;
    for (const x of v.data) { if (x < min) min = x; if (x > max) max = x; }
    stats.set(name, { min, max });
  }
  return stats;
}

/** TuneRange (§1.3): widen [low, high] so that 0 is exactly representable. */
export function tuneRange(low: number, high: number, levels: number): [number, number] {
  const lo = Math.min(low, 0), hi = Math.max(high, 0), n = levels - 1;
  const s = n / (hi - lo), zp = Math.round(-lo * s);
  const candLow = zp < n ? (zp / (zp - n)) * hi : lo;
  const candHigh = zp > 0 ? ((zp - n) / zp) * lo : hi;
  return hi - candLow > candHigh - lo ? [candLow, hi] : [lo, candHigh];
}

export interface SpecOptions {
  /** Activation grid for tensors with min ≥ 0: 'unsigned' (uint8, default) or 'signed' (int8 symmetric). */
  nonNegative?: 'unsigned' | 'signed';
  /** Quantize the graph input asymmetrically (default symmetric signed). */
  asymmetricInput?: boolean;
  weightBits?: number;
  activationBits?: number;
  perChannel?: boolean;
}

const f32 = (...v: number[]) => Float32Array.from(v);

/** Weight quantizer per Conv/Gemm (symmetric signed narrow, per output channel), activations on inputs of quantizable ops. */
export function makeSpecs(graph: Graph, stats: Stats, o: SpecOptions = {}): QuantizerExportSpec[] {
  const specs: QuantizerExportSpec[] = [];
  const wb = o.weightBits ?? 8, ab = o.activationBits ?? 8;
  for (const n of graph.nodes) {
    if (n.opType !== 'Conv' && n.opType !== 'Gemm') continue;
    const w = graph.initializers.get(n.inputs[1])!;
    const c = w.dims[0], inner = w.values.length / c;
    const perChannel = o.perChannel ?? true;
    const scale = new Float32Array(perChannel ? c : 1);
    (w.values as Float32Array).forEach((v, i) => { const k = perChannel ? Math.floor(i / inner) : 0; scale[k] = Math.max(scale[k], Math.abs(v)); });
    const levels = 2 ** wb - 1;
    specs.push({ id: `${n.name}|WEIGHT`, target: { kind: 'weight', tensor: w.name }, bits: wb, levels, mode: 'symmetric', signed: true, narrowRange: true,
      ...(perChannel ? { perChannelAxis: 0 } : {}), inputLow: scale.map((s) => -s), inputHigh: scale });
  }
  const seen = new Set<string>();
  for (const n of graph.nodes) {
    if (!['Conv', 'Gemm', 'Add', 'GlobalAveragePool'].includes(n.opType)) continue;
    const acts = n.opType === 'Conv' || n.opType === 'Gemm' ? [n.inputs[0]] : n.inputs;
    for (const t of acts) {
      if (seen.has(t) || graph.initializers.has(t)) continue;
      seen.add(t);
      const st = stats.get(t)!;
      const levels = 2 ** ab;
      const isInput = graph.inputs.some((i) => i.name === t);
      const id = `${graph.producer(t)?.name ?? t}|OUTPUT`;
      if (isInput && o.asymmetricInput) {
        const [lo, hi] = tuneRange(st.min, st.max, levels);
        specs.push({ id, target: { kind: 'activation', tensor: t }, bits: ab, levels, mode: 'asymmetric', signed: true, narrowRange: false, inputLow: f32(lo), inputHigh: f32(hi) });
      } else if (st.min >= 0 && (o.nonNegative ?? 'unsigned') === 'unsigned') {
        specs.push({ id, target: { kind: 'activation', tensor: t }, bits: ab, levels, mode: 'symmetric', signed: false, narrowRange: false, inputLow: f32(0), inputHigh: f32(st.max) });
      } else {
        const s = Math.max(Math.abs(st.min), Math.abs(st.max));
        specs.push({ id, target: { kind: 'activation', tensor: t }, bits: ab, levels, mode: 'symmetric', signed: true, narrowRange: false,
          inputLow: f32((-s * (levels / 2)) / (levels / 2 - 1)), inputHigh: f32(s) });
      }
    }
  }
  return specs;
}

/** NNCF forward (§1.2) in plain JS: round((clamp(x) − low)·s − zp)/s, torch.round = half to even. */
export function fakeQuantize(x: number, low: number, high: number, levels: number): number {
  const s = (levels - 1) / (high - low);
  const zp = rhe(-low * s);
  return rhe((Math.min(Math.max(x, low), high) - low) * s - zp) / s;
}

function rhe(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The reference model: weights fake-quantized in JS, activations fake-quantized by float ops (Max, Min, Sub, Mul, Round, Sub, Div). */
export function referenceModel(bytes: Uint8Array, specs: QuantizerExportSpec[]): Uint8Array {
  const g = parseOnnx(bytes);
  const nodes: GraphNode[] = [...g.nodes];
  let k = 0;
  const scalar = (v: number) => { const name = `ref_c${k++}`; g.initializers.set(name, { name, dtype: 'float32', dims: [], values: f32(v) }); return name; };
  for (const s of specs) {
    if (s.target.kind === 'weight') {
      const w = g.initializers.get(s.target.tensor)!;
      const c = s.inputLow.length, inner = w.values.length / (s.perChannelAxis === undefined ? w.values.length : w.dims[0]);
      w.values = (w.values as Float32Array).map((v, i) => { const ch = c === 1 ? 0 : Math.floor(i / inner); return fakeQuantize(v, s.inputLow[ch], s.inputHigh[ch], s.levels); });
      continue;
    }
    const t = s.target.tensor, lo = s.inputLow[0], hi = s.inputHigh[0], sc = (s.levels - 1) / (hi - lo);
    const consumers = g.consumers(t);
    const op = (type: string, inputs: string[]) => { const out = `ref_t${k++}`; nodes.push({ name: out, opType: type, domain: '', inputs, outputs: [out], attributes: {}, scope: out }); return out; };
    const y = op('Div', [op('Sub', [op('Round', [op('Mul', [op('Sub', [op('Min', [op('Max', [t, scalar(lo)]), scalar(hi)]), scalar(lo)]), scalar(sc)])]), scalar(rhe(-lo * sc))]), scalar(sc)]);
    for (const n of consumers) n.inputs = n.inputs.map((i) => (i === t ? y : i));
  }
  g.nodes = nodes;
  g.reindex();
  return exportOnnx(g);
}

/** Concatenated random inputs in [-1, 1) for a single-input model. */
export function feedsFor(name: string, dims: number[], seed: number): Feeds {
  let a = seed >>> 0;
  const data = new Float32Array(dims.reduce((x, y) => x * y, 1));
  for (let i = 0; i < data.length; i++) { a = (Math.imul(a, 1664525) + 1013904223) >>> 0; data[i] = a / 2 ** 31 - 1; }
  return { [name]: { dims, data } };
}
