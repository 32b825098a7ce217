import { recordChannelSlice } from '../../compression/export-slices.js';
import type { ConstTensor, Graph, TensorValues } from '../../graph/index.js';
import { forgetConstness } from '../../graph/index.js';
import { keptChannels, type ChannelMap, type GroupAnalysis, type Propagation } from './groups/index.js';
import type { MaskedParam } from './masks.js';

/** Keeps the slices of `t` along `axis` where `keep` is 1. */
export function sliceAxis(t: ConstTensor, axis: number, keep: ArrayLike<number>): ConstTensor {
  const dims = t.dims;
  if (dims[axis] !== keep.length) throw new Error(`filter_pruning export: "${t.name}" has ${dims[axis]} entries on axis ${axis}, the mask ${keep.length}`);
  const kept: number[] = [];
  for (let i = 0; i < keep.length; i++) if (keep[i]) kept.push(i);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const src = t.values as Exclude<TensorValues, string[]>;
  const Ctor = src.constructor as new (n: number) => typeof src;
  const out = new Ctor(outer * kept.length * inner);
  let at = 0;
  for (let o = 0; o < outer; o++)
    for (const k of kept) {
      const base = (o * keep.length + k) * inner;
      for (let i = 0; i < inner; i++) out[at++] = src[base + i];
    }
  const newDims = [...dims];
  newDims[axis] = kept.length;
  return { name: t.name, dtype: t.dtype, dims: newDims, values: out };
}

/** NNCF's export: the masks multiplied into the weights, shapes unchanged (`--keep-shape`). */
export function zeroMaskedParams(graph: Graph, params: readonly MaskedParam[], keep: readonly Uint8Array[]): void {
  for (const p of params) {
    const t = graph.initializers.get(p.name);
    if (!t) continue;
    const k = keptChannels(p.map, (g) => keep[g]);
    const inner = t.dims.slice(p.axis + 1).reduce((a, b) => a * b, 1);
    const n = t.dims[p.axis];
    const values = Float32Array.from(t.values as Float32Array);
    for (let i = 0; i < values.length; i++) if (!k[Math.floor(i / inner) % n]) values[i] = 0;
    graph.initializers.set(p.name, { name: t.name, dtype: t.dtype, dims: [...t.dims], values });
  }
}

/**
 * The physically smaller model: pruned filters dropped from every group member (weight, bias), the
 * matching input channels dropped from every consumer (conv, depthwise conv with its group count,
 * linear layers after Flatten, norms, per-channel constants of elementwise ops, Concat slices follow
 * by themselves), Reshape targets and tensor shapes updated. Every slice is recorded on the export graph
 * (compression/export-slices) so that quantizers exported next keep the scales of kept channels only.
 */
export function prunePhysically(graph: Graph, analysis: GroupAnalysis, prop: Propagation, params: readonly MaskedParam[], keep: readonly Uint8Array[]): void {
  const kept = (m: ChannelMap) => keptChannels(m, (g) => keep[g]);
  const done = new Map<string, string>();
  const slice = (name: string | undefined, axis: number, k: Uint8Array) => {
    const t = name ? graph.initializers.get(name) : undefined;
    if (!name || !t) return;
    // a weight is cut once per axis (filters on one, input channels on another)
    const at = `${name}@${axis}`;
    const key = Array.from(k).join('');
    if (done.has(at)) {
      if (done.get(at) !== key) throw new Error(`filter_pruning export: "${name}" is shared by layers pruned differently`);
      return;
    }
    done.set(at, key);
    if (k.every((v) => v === 1)) return;
    graph.initializers.set(name, sliceAxis(t, axis, k));
    recordChannelSlice(graph, name, axis, k);
  };
  for (const p of params) slice(p.name, p.axis, kept(p.map));
  for (const g of analysis.groups)
    for (const l of g.members) {
      // the export graph is a copy: edit its node, never the model's
      const node = graph.node(l.node.name);
      if (l.depthwise && node) setInt(node.attributes, 'group', count(keep[g.id]));
      slice(l.bias, 0, keep[g.id]);
    }
  for (const [name, map] of prop.consumed) {
    const l = analysis.layers.get(name)!;
    if (l.grouped) continue;
    slice(l.weight, l.inAxis, kept(map));
  }
  for (const n of analysis.flow.nodes) {
    const map = prop.maps.get(n.inputs[0]);
    if (n.opType === 'BatchNormalization' && map) for (const p of [1, 2, 3, 4]) slice(n.inputs[p], 0, kept(map));
    if ((n.opType === 'InstanceNormalization' || n.opType === 'LayerNormalization') && map) for (const p of [1, 2]) slice(n.inputs[p], 0, kept(map));
    if (['Add', 'Sub', 'Mul', 'Div'].includes(n.opType)) sliceElementwiseConstants(graph, n.inputs, n.outputs[0], prop, kept, slice);
    if (n.opType === 'Reshape' && prop.maps.get(n.outputs[0])) retargetReshape(graph, n.inputs[1], n.outputs[0], count(kept(prop.maps.get(n.outputs[0])!)));
  }
  for (const [tensor, map] of prop.maps) {
    const k = kept(map);
    if (k.some((v) => v === 0)) recordChannelSlice(graph, tensor, 1, k);
    const info = graph.tensors.get(tensor);
    if (info?.shape && info.shape.length > 1) info.shape = [info.shape[0], count(kept(map)), ...info.shape.slice(2)];
  }
  forgetConstness(graph);
  graph.reindex();
}

const count = (k: ArrayLike<number>) => Array.from(k).reduce((a, b) => a + (b ? 1 : 0), 0);

function setInt(attrs: Record<string, import('../../graph/index.js').AttributeValue>, name: string, value: number): void {
  attrs[name] = { type: 'int', value };
}

function sliceElementwiseConstants(graph: Graph, inputs: string[], output: string, prop: Propagation, kept: (m: ChannelMap) => Uint8Array, slice: (name: string, axis: number, k: Uint8Array) => void): void {
  const map = prop.maps.get(output);
  const rank = graph.tensor(output)?.shape?.length;
  if (!map || !rank) return;
  for (const name of inputs) {
    const t = graph.initializers.get(name);
    if (!t) continue;
    // broadcasting aligns trailing dims: the channel axis 1 of the output is axis 1 − (rank − t.rank) of t
    const axis = 1 - (rank - t.dims.length);
    if (axis >= 0 && t.dims[axis] === map.source.length && map.source.length > 1) slice(name, axis, kept(map));
  }
}

function retargetReshape(graph: Graph, shapeName: string, output: string, channels: number): void {
  const t = graph.initializers.get(shapeName);
  if (!t || t.dims.length !== 1 || t.values.length < 2) return;
  const values = t.values as BigInt64Array;
  if (Number(values[1]) <= 0) return; // 0 copies and -1 infers: nothing to change
  const copy = BigInt64Array.from(values);
  copy[1] = BigInt(channels);
  graph.initializers.set(shapeName, { name: t.name, dtype: t.dtype, dims: [...t.dims], values: copy });
  void output;
}
