/**
 * Per-layer facts HAWQ needs (spec/algorithms.md §6.2 steps 3–4): multiply-accumulates of a
 * weighted op at batch 1, the quantization noise ‖Q_c(W) − W‖² of a weight under one quantizer
 * config (our FakeQuantize math with NNCF's min/max weight range init), and NNCF's groups of
 * adjacent quantizers (quantizers feeding the same ops, joined transitively).
 */
import * as tf from '@tensorflow/tfjs-core';
import { weightOf, type Graph } from '../../graph/index.js';
import { Quantizer } from './fake-quantize/index.js';
import type { QuantizerSpec } from './placement/index.js';

/**
 * MACs of the ops whose weight `q` quantizes, batch 1: output elements × (weight elements / output
 * channels) — Conv: Cout·Hout·Wout·(Cin/groups)·kH·kW; Gemm/MatMul: rows·N·K. The batch axis (the
 * first, symbolic or not) counts as 1. When the output shape is not known the weight's element
 * count (the MACs of one output position) is used instead.
 */
export function layerMacs(graph: Graph, q: QuantizerSpec): number {
  let total = 0;
  for (const p of q.points) {
    if (p.kind !== 'weight') continue;
    const node = graph.node(p.node);
    const dims = graph.initializers.get(p.tensor)?.dims ?? graph.tensor(p.tensor)?.shape?.map(Number) ?? [];
    const numel = dims.reduce((a, b) => a * b, 1);
    const axis = node ? weightOf(graph, node)?.channelAxis : undefined;
    const outChannels = axis === undefined ? 1 : (dims[axis] ?? 1);
    const shape = node ? graph.tensor(node.outputs[0])?.shape : null;
    const rest = shape?.slice(1);
    if (!shape || !rest || !rest.every((d) => typeof d === 'number' && d > 0)) {
      total += numel;
      continue;
    }
    const outElems = (rest as number[]).reduce((a, b) => a * b, 1);
    total += (outElems * numel) / outChannels;
  }
  return total;
}

/** Per-channel (or whole-tensor) min and max of `values` laid out as `dims`. */
function minMax(
  values: Float32Array,
  dims: readonly number[],
  axis: number | null,
): { min: Float32Array; max: Float32Array } {
  const channels = axis === null ? 1 : dims[axis];
  const inner = axis === null ? 1 : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const min = new Float32Array(channels).fill(Infinity);
  const max = new Float32Array(channels).fill(-Infinity);
  for (let i = 0; i < values.length; i++) {
    const c = axis === null ? 0 : Math.floor(i / inner) % channels;
    const v = values[i];
    if (v < min[c]) min[c] = v;
    if (v > max[c]) max[c] = v;
  }
  return { min, max };
}

/**
 * ‖Q(W) − W‖²: a fake quantizer with `q`'s config (bits, mode, granularity, signedness, narrow/half
 * range), its range initialized from the weight's min/max as weight range init does, applied to W.
 * `values` are in ONNX layout with shape `dims`; `q.channelAxis` is an ONNX axis.
 */
export function weightPerturbation(q: QuantizerSpec, values: Float32Array, dims: readonly number[]): number {
  const axis = q.perChannel ? (q.channelAxis ?? 0) : null;
  // built inside tidy: the constructor's initial-value tensors go, its variables stay (tidy keeps variables)
  let quantizer!: Quantizer;
  tf.tidy(() => {
    quantizer = new Quantizer({
      bits: q.bits,
      mode: q.mode,
      signedToForce: q.signed ?? null,
      narrowRange: q.narrowRange,
      halfRange: q.halfRange,
      logarithmScale: false,
      perChannel: axis !== null,
      ...(axis !== null ? { rank: dims.length, channelAxis: axis, channels: dims[axis] } : {}),
    });
  });
  try {
    const { min, max } = minMax(values, dims, axis);
    quantizer.applyMinMaxInit(min, max, q.id);
    return tf.tidy(() => {
      const w = tf.tensor(values, [...dims], 'float32');
      return tf.sum(tf.square(tf.sub(quantizer.apply(w), w))).dataSync()[0];
    });
  } finally {
    quantizer.dispose();
  }
}

/**
 * NNCF GroupsOfAdjacentQuantizers: quantizers that feed a common op are adjacent; groups are the
 * connected components (indices into `setup`, in setup order).
 */
export function adjacentGroups(setup: readonly QuantizerSpec[]): number[][] {
  const parent = setup.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const owner = new Map<string, number>();
  setup.forEach((q, i) => {
    for (const n of q.quantizedNodes) {
      const o = owner.get(n);
      if (o === undefined) owner.set(n, i);
      else parent[find(i)] = find(o);
    }
  });
  const groups = new Map<number, number[]>();
  setup.forEach((_, i) => {
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), i]);
  });
  return [...groups.values()];
}
