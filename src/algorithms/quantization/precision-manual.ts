/**
 * Manual precision init (spec/algorithms.md §6.1, config `initializer.precision.type: "manual"`):
 * each `[bits, scope]` pair of `bitwidth_per_scope` sets the bit width of one placed quantizer.
 *
 * Matching follows NNCF's ManualPrecisionInitializer exactly: `scope` is matched as a SUBSTRING of
 * the quantization point's id (`<node>|WEIGHT`, `<node>|OUTPUT`, `<node>|INPUT<port>`; no `{re}`),
 * and only the FIRST matching point (placement order) gets the bits. With a HW config the first
 * allowed config with those bits is taken (so mode/granularity follow the HW preference order);
 * without one (TRIAL) NNCF only overwrites num_bits, so any bit width is accepted.
 */
import { scopeOf, weightOf, type Graph } from '../../graph/index.js';
import type { QuantizerConfig } from '../../hardware/index.js';
import { QuantizationSetupError } from './modules.js';
import type { InsertionPoint, QuantizerSpec } from './placement/index.js';

export type BitwidthPair = readonly [number, string];

export interface ManualPrecisionOptions {
  /** false on TRIAL (no HW config): NNCF takes the bits as given, keeping the rest of the config. */
  hwConstrained: boolean;
  /** Half/narrow range of a weight quantizer at its new bit width (overflow fix and narrow range depend on bits). */
  weightRangeFlags: (q: QuantizerSpec, bits: number) => { halfRange: boolean; narrowRange: boolean };
}

/** NNCF id of one insertion point (a unified-scale quantizer has one per point; its `id` is the first). */
export function pointId(graph: Graph, q: QuantizerSpec, p: InsertionPoint): string {
  if (p.kind === 'weight') return q.id; // a shared weight is one NNCF quantization point
  if (p.kind === 'output') {
    const producer = p.producer === undefined ? undefined : graph.node(p.producer);
    return `${producer ? scopeOf(producer) : p.tensor}|OUTPUT`;
  }
  const consumer = graph.node(p.consumer);
  return `${consumer ? scopeOf(consumer) : p.consumer}|INPUT${p.port}`;
}

/** Axis for a quantizer placed per-tensor that a pair turns per-channel (placement's rule: weights by op, activations 1). */
function channelAxisOf(graph: Graph, q: QuantizerSpec): number {
  const p = q.points[0];
  if (p.kind !== 'weight') return 1;
  const node = graph.node(p.node);
  const axis = node && weightOf(graph, node)?.channelAxis;
  if (axis === undefined) throw new QuantizationSetupError(`manual precision: cannot find the weight channel axis of ${q.id}`);
  return axis;
}

const where = (i: number, [bits, scope]: BitwidthPair) =>
  `quantization.initializer.precision.bitwidth_per_scope[${i}] [${bits}, ${JSON.stringify(scope)}]`;

const uniqueBits = (configs: readonly QuantizerConfig[]) => [...new Set(configs.map((c) => c.bits))];

/** Returns a new setup with the manual bit widths applied; throws QuantizationSetupError naming the pair. */
export function applyManualPrecision(graph: Graph, setup: readonly QuantizerSpec[], pairs: readonly BitwidthPair[], opts: ManualPrecisionOptions): QuantizerSpec[] {
  const out = setup.map((q) => ({ ...q }));
  // Flattened in placement order, as NNCF iterates its quantization points.
  const points = out.flatMap((q, qi) => [...new Set(q.points.map((p) => pointId(graph, q, p)))].map((id) => ({ id, qi })));
  // A unified-scale group is one quantizer (one scale, one bit width): a second pair that reaches the
  // group through another of its points with other bits cannot be honoured.
  const setBy = new Map<number, { i: number; pointId: string; bits: number }>();
  pairs.forEach((pair, i) => {
    const [bits, scope] = pair;
    if (!Number.isInteger(bits) || bits < 1)
      throw new QuantizationSetupError(`${where(i, pair)}: bits must be a positive integer`);
    const hit = points.find((p) => p.id.includes(scope));
    if (!hit)
      throw new QuantizationSetupError(
        `${where(i, pair)}: no quantizer id contains "${scope}" (matching is by substring, as in NNCF); quantizer ids: ${points.map((p) => p.id).join(', ')}`,
      );
    const q = out[hit.qi];
    const prev = setBy.get(hit.qi);
    if (prev && prev.pointId !== hit.id && prev.bits !== bits)
      throw new QuantizationSetupError(
        `${where(i, pair)}: "${hit.id}" belongs to the unified-scale quantizer ${q.id}, which entry ${prev.i} set to ${prev.bits} bits via "${prev.pointId}"; a unified-scale group takes one bit width`,
      );
    let chosen: QuantizerConfig;
    if (opts.hwConstrained) {
      const match = q.allowedConfigs.find((c) => c.bits === bits);
      if (!match)
        throw new QuantizationSetupError(
          `${where(i, pair)}: ${bits} bits are not allowed for "${hit.id}" by the target hardware; allowed bit widths: ${uniqueBits(q.allowedConfigs).join(', ')}`,
        );
      chosen = match;
    } else chosen = { bits, mode: q.mode, perChannel: q.perChannel, signed: q.signed };
    Object.assign(q, {
      bits: chosen.bits,
      mode: chosen.mode,
      signed: chosen.signed,
      perChannel: chosen.perChannel,
      channelAxis: chosen.perChannel ? (setup[hit.qi].channelAxis ?? channelAxisOf(graph, q)) : undefined,
      ...(q.kind === 'weight' ? opts.weightRangeFlags(setup[hit.qi], bits) : { halfRange: false, narrowRange: false }),
    });
    setBy.set(hit.qi, { i, pointId: hit.id, bits });
  });
  return out;
}
