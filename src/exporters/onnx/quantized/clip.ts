/** The optional pre-quantization clamp of a spec (NNCF half-range export) as graph nodes: Max then Min. */
import type { Graph } from '../../../graph/graph.js';
import type { GraphEditor } from './graph-edit.js';
import { QuantizedExportError, type QuantizerExportSpec } from './spec.js';

/** Shape that broadcasts a per-channel vector along `axis` of a rank-`rank` tensor ([1] per tensor). */
export function rangeShape(n: number, rank: number | null, axis: number | undefined, id: string): number[] {
  if (n === 1) return [1];
  if (rank === null || axis === undefined) throw new QuantizedExportError(`quantizer "${id}": per-channel range needs a known rank and axis`);
  return Array.from({ length: rank }, (_, i) => (i === axis ? n : 1));
}

/** Adds Max(x, low) → Min(·, high) for `spec.clip`; returns the clamped tensor's name. */
export function insertClip(g: Graph, ed: GraphEditor, spec: QuantizerExportSpec, input: string): string {
  const clip = spec.clip!;
  const rank = g.tensor(input)?.shape?.length ?? null;
  const lo = ed.constant(`${spec.id}/clip_low`, 'float32', rangeShape(clip.low.length, rank, spec.perChannelAxis, spec.id), Float32Array.from(clip.low));
  const hi = ed.constant(`${spec.id}/clip_high`, 'float32', rangeShape(clip.high.length, rank, spec.perChannelAxis, spec.id), Float32Array.from(clip.high));
  const a = ed.fresh(`${spec.id}/clip_max`);
  const b = ed.fresh(`${spec.id}/clipped`);
  ed.describe(a, 'float32', input);
  ed.describe(b, 'float32', input);
  ed.node('Max', `${spec.id}/Max`, [input, lo], [a]);
  ed.node('Min', `${spec.id}/Min`, [a, hi], [b]);
  return b;
}
