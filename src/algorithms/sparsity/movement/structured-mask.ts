/**
 * NNCF's StructuredMaskHandler at the end of warm-up, on the groups of structured-groups.ts:
 *  1. independent mask per layer: a row layer keeps a block of `block` rows if any weight in it (or
 *     any bias entry of it) is kept; a column layer keeps a block of columns if any weight in it is;
 *  2. dependent mask per group: the OR over its layers (columns seen as rows), so Q, K, V and the
 *     output projection keep the same heads, FFN in/out the same channels;
 *  3. every grouped layer's masks are reset to ones, then multiplied by its group's structured mask
 *     (rows/columns inflated; a row layer's bias by its rows, a column layer's bias stays unless all
 *     columns go). Fine-grained zeros inside kept heads/channels are dropped, as in NNCF.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MovementSparsifier, ScoredMask } from './sparsifier.js';
import type { StructuredGroup } from './structured-groups.js';

/** The stored mask of `m` in PyTorch layout ([out, in] or [out]) as a flat array. */
export function torchMask(m: ScoredMask): Float32Array {
  return tf.tidy(() => {
    const onnx = m.toOnnx(m.mask);
    const t = m.transposed ? tf.transpose(onnx, [1, 0]) : onnx;
    return Float32Array.from(t.dataSync() as Float32Array);
  });
}

export function setTorchMask(m: ScoredMask, values: Float32Array): void {
  tf.tidy(() => {
    const shape = [...m.torchShape];
    let t: tf.Tensor = tf.tensor(values, shape);
    if (m.transposed) t = tf.transpose(t, [1, 0]);
    m.setMask(m.fromOnnx(t));
  });
}

/** Kept units (heads or channels) of one layer, from its current masks. */
function independentUnits(s: MovementSparsifier, byRow: boolean, block: number): boolean[] {
  const [out, inp] = s.layer.shape;
  const w = torchMask(s.weight);
  const n = (byRow ? out : inp) / block;
  const keep = new Array<boolean>(n).fill(false);
  for (let r = 0; r < out; r++)
    for (let c = 0; c < inp; c++) if (w[r * inp + c] !== 0) keep[Math.floor((byRow ? r : c) / block)] = true;
  if (s.bias) {
    const b = torchMask(s.bias);
    if (byRow) for (let r = 0; r < out; r++) if (b[r] !== 0) keep[Math.floor(r / block)] = true;
    // a column layer's bias decides NNCF's single "row" of the grid: kept with any entry, it changes no column
  }
  return keep;
}

export interface StructuredLayerReport {
  groupId: number;
  layer: string;
  weightShape: [number, number];
  prunedWeightShape: [number, number];
  biasShape: number[];
  prunedBiasShape: number[];
  /** Heads (attention) or channels (feed-forward) kept. */
  keptUnits: number[];
}

export function resolveStructuredMasks(groups: readonly StructuredGroup[], byName: ReadonlyMap<string, MovementSparsifier>): StructuredLayerReport[] {
  const resolved = groups.map((g) => {
    const masks = g.members.map((m) => independentUnits(byName.get(m.layer)!, m.byRow, g.block));
    const keep = masks[0].map((_, i) => masks.some((k) => k[i]));
    return { g, keep };
  });
  // NNCF resets every grouped layer to ones first (a layer could sit in two groups), then multiplies
  const fresh = new Map<string, { w: Float32Array; b?: Float32Array }>();
  for (const { g } of resolved)
    for (const m of g.members) {
      const s = byName.get(m.layer)!;
      fresh.set(m.layer, { w: new Float32Array(s.layer.shape[0] * s.layer.shape[1]).fill(1), b: s.bias ? new Float32Array(s.layer.shape[0]).fill(1) : undefined });
    }
  const reports: StructuredLayerReport[] = [];
  for (const { g, keep } of resolved)
    for (const m of g.members) {
      const s = byName.get(m.layer)!;
      const [out, inp] = s.layer.shape;
      const f = fresh.get(m.layer)!;
      for (let r = 0; r < out; r++)
        for (let c = 0; c < inp; c++) if (!keep[Math.floor((m.byRow ? r : c) / g.block)]) f.w[r * inp + c] = 0;
      if (f.b) {
        if (m.byRow) for (let r = 0; r < out; r++) f.b[r] *= keep[Math.floor(r / g.block)] ? 1 : 0;
        else if (!keep.some(Boolean)) f.b.fill(0);
      }
    }
  for (const [name, f] of fresh) {
    const s = byName.get(name)!;
    setTorchMask(s.weight, f.w);
    if (s.bias && f.b) setTorchMask(s.bias, f.b);
  }
  for (const { g, keep } of resolved)
    for (const m of g.members) {
      const s = byName.get(m.layer)!;
      const [out, inp] = s.layer.shape;
      const units = keep.map((k, i) => (k ? i : -1)).filter((i) => i >= 0);
      const kept = units.length * g.block;
      reports.push({
        groupId: g.id,
        layer: m.layer,
        weightShape: [out, inp],
        prunedWeightShape: m.byRow ? [kept, inp] : [out, kept],
        biasShape: s.bias ? [out] : [0],
        prunedBiasShape: s.bias ? (m.byRow ? [kept] : [out]) : [0],
        keptUnits: units,
      });
    }
  return reports;
}
