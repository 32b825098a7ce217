import type { PlacementResult, QuantizerSpec } from '../../src/algorithms/quantization/placement/index.js';

/** Compact views of a placement result for exact assertions. */
export const weightIds = (r: PlacementResult) => r.quantizers.filter((q) => q.kind === 'weight').map((q) => q.id).sort();
export const activationIds = (r: PlacementResult) => r.quantizers.filter((q) => q.kind === 'activation').map((q) => q.id).sort();
export const byId = (r: PlacementResult, id: string): QuantizerSpec => {
  const q = r.quantizers.find((x) => x.id === id);
  if (!q) throw new Error(`no quantizer ${id}; have ${r.quantizers.map((x) => x.id).join(', ')}`);
  return q;
};
/** `bits/mode/granularity/signed/narrow/half`, e.g. `8/s/pc/+/nr/-`. */
export const cfg = (q: QuantizerSpec) =>
  `${q.bits}/${q.mode[0]}/${q.perChannel ? 'pc' : 'pt'}/${q.signed === undefined ? '?' : q.signed ? '+' : 'u'}/${q.narrowRange ? 'nr' : '-'}/${q.halfRange ? 'hr' : '-'}`;
/** Activation quantizers as `id → sorted point labels` for unified groups. */
export const unifiedGroups = (r: PlacementResult) =>
  r.quantizers
    .filter((q) => q.points.length > 1 && q.kind === 'activation')
    .map((q) => q.points.map((p) => (p.kind === 'input' ? `${p.consumer}|INPUT${p.port}` : p.kind === 'output' ? `${p.producer ?? p.tensor}|OUTPUT` : `${p.node}|WEIGHT`)).sort());
