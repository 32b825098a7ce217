/**
 * Channel slices made by one export edit, read by the edits after it. Filter pruning's physically
 * smaller export drops channels of weights and activations; a quantizer exported afterwards on the same
 * tensor holds one scale per channel of the full tensor, and keeps only the entries of kept channels.
 * Keyed by the export graph copy, so nothing outlives one export.
 */
import type { Graph } from '../graph/index.js';

/** 1 where the channel is kept, 0 where the export dropped it. */
export type ChannelKeep = Uint8Array;

const slices = new WeakMap<Graph, Map<string, ChannelKeep>>();
const key = (tensor: string, axis: number) => `${tensor}\u0000${axis}`;

/** Records that `tensor` (an initializer or an activation) kept only the `keep` channels along `axis`. */
export function recordChannelSlice(graph: Graph, tensor: string, axis: number, keep: ChannelKeep): void {
  let m = slices.get(graph);
  if (!m) slices.set(graph, (m = new Map()));
  m.set(key(tensor, axis), keep);
}

/** The channels `tensor` kept along `axis` in this export, or undefined when the export did not slice it there. */
export function channelSlice(graph: Graph, tensor: string, axis: number): ChannelKeep | undefined {
  return slices.get(graph)?.get(key(tensor, axis));
}

/** Keeps the entries of a per-channel parameter (one value per channel of the full tensor) where `keep` is 1. */
export function keepEntries(values: Float32Array, keep: ChannelKeep, what: string): Float32Array {
  if (values.length !== keep.length) throw new Error(`${what}: ${values.length} per-channel values, but the tensor had ${keep.length} channels before the export sliced it`);
  const out: number[] = [];
  for (let i = 0; i < keep.length; i++) if (keep[i]) out.push(values[i]);
  return Float32Array.from(out);
}
