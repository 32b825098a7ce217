/**
 * HAWQ precision init (spec/algorithms.md §6.2, config `initializer.precision.type: "hawq"`), the
 * search part — no data here: the average Hessian traces arrive from initialization (see
 * init-services.ts `hessianTraces`).
 *
 * Follows NNCF's HAWQPrecisionInitializer:
 * - layers = weight quantizers in placement (execution) order, ordered by trace ascending (stable);
 * - candidate widths = `bits` ∩ the widths the HW config allows for some weight quantizer (TRIAL: `bits`);
 *   a layer takes, per sequence position, the first of its HW-allowed widths closest to the target;
 * - sequences = non-decreasing along the trace order (precision-hawq-sequences.ts), deduplicated;
 *   with a HW config, sequences using every "excessive" width (allowed for weights, never for
 *   activations) are dropped; `strict` drops sequences giving adjacent weight quantizers different
 *   widths, after intersecting the allowed widths inside each group of adjacent quantizers;
 * - activation widths per group of adjacent quantizers given the weights' widths W of the group:
 *   strict: the smallest width allowed for every activation of the group that is in W;
 *   liberal: per activation, its only width if it has one, else the smallest allowed width in W,
 *   else its smallest allowed width (so an activation next to no weight takes its smallest allowed
 *   width in both modes, as in NNCF). TRIAL (no HW constraints): activations take min(W) (strict: the
 *   group's one width) and keep their width when the group has no weights;
 * - ratio = Σ MACs·8 / Σ MACs·max(w, a) with a the widest activation quantizer feeding the layer;
 *   the requested compression_ratio must lie in [min, max] over the sequences;
 * - metric = Σ trace·‖Q_c(W) − W‖²; the minimal-metric sequence with ratio ≥ compression_ratio wins.
 * The sequence count is Σ_j C(m,j)·C(L−1,j−1), polynomial in L (≈ L^(m−1)); above MAX_HAWQ_SEQUENCES
 * we refuse with an error instead of enumerating (NNCF would enumerate). `dump_init_precision_data`
 * is ignored (no debug dumps in nncf-ts).
 */
import type { Graph } from '../../graph/index.js';
import { QuantizationSetupError } from './modules.js';
import type { QuantizerSpec } from './placement/index.js';
import { applyManualPrecision, pointId, type ManualPrecisionOptions } from './precision-manual.js';
import { bitSequenceCount, chooseSequence, nonDecreasingBitSequences } from './precision-hawq-sequences.js';
import { adjacentGroups, layerMacs, weightPerturbation } from './precision-hawq-layers.js';

export * from './precision-hawq-sequences.js';
export * from './precision-hawq-layers.js';

export const MAX_HAWQ_SEQUENCES = 1_000_000;
const RATIO_PATH = 'quantization.initializer.precision.compression_ratio';
const BITS_PATH = 'quantization.initializer.precision.bits';

export interface HawqOptions extends ManualPrecisionOptions {
  bits: readonly number[];
  compressionRatio: number;
  mode: 'strict' | 'liberal';
  /** For messages. */
  device: string;
}

export interface HawqResult {
  setup: QuantizerSpec[];
  ratio: number;
  ratioRange: [number, number];
  metric: number;
  /** Sequences evaluated (after deduplication and filters). */
  sequences: number;
  /** Weight quantizer ids in trace order (ascending). */
  traceOrder: string[];
  /** Weight quantizer ids in execution order: the order of `traces` and of each candidate's `bits`. */
  weightIds: string[];
  /** Average Hessian trace per weight quantizer (`weightIds` order). */
  traces: number[];
  /** Every sequence evaluated: weight widths (`weightIds` order), compression ratio, metric. */
  candidates: HawqCandidate[];
  /** Index of the chosen sequence in `candidates`. */
  chosen: number;
}

export interface HawqCandidate {
  bits: number[];
  ratio: number;
  metric: number;
}

/** The weight tensor of each weight quantizer, in setup order (what the traces are computed for). */
export function hawqWeightTensors(setup: readonly QuantizerSpec[]): string[] {
  return setup.flatMap((q) => {
    const p = q.points.find((x) => x.kind === 'weight');
    return q.kind === 'weight' && p?.kind === 'weight' ? [p.tensor] : [];
  });
}

/** `q` at `bits` through manual precision's rule (first HW config with those bits; TRIAL: bits only). */
export function withBits(graph: Graph, q: QuantizerSpec, bits: number, opts: ManualPrecisionOptions): QuantizerSpec {
  if (bits === q.bits) return { ...q };
  const ids = q.points.map((p) => pointId(graph, q, p));
  return applyManualPrecision(graph, [q], [[bits, ids.includes(q.id) ? q.id : ids[0]]], opts)[0];
}

const uniq = (xs: readonly number[]) => [...new Set(xs)];
const fmt = (x: number) => x.toFixed(3);

export function applyHawqPrecision(
  graph: Graph,
  setup: readonly QuantizerSpec[],
  traces: ReadonlyMap<string, number>,
  weightValue: (tensor: string) => { values: Float32Array; dims: number[] },
  opts: HawqOptions,
): HawqResult {
  const wIdx = setup.flatMap((q, i) => (q.kind === 'weight' ? [i] : []));
  if (!opts.bits.length || !opts.bits.every((b) => Number.isInteger(b) && b >= 1))
    throw new QuantizationSetupError(`${BITS_PATH} must be a non-empty list of positive integers, got [${opts.bits.join(', ')}]`);
  if (!wIdx.length)
    return { setup: setup.map((q) => ({ ...q })), ratio: 1, ratioRange: [1, 1], metric: 0, sequences: 0, traceOrder: [], weightIds: [], traces: [], candidates: [], chosen: -1 };
  const hw = opts.hwConstrained;
  const groups = adjacentGroups(setup);
  const groupOf = new Map<number, number>();
  groups.forEach((g, gi) => g.forEach((i) => groupOf.set(i, gi)));
  // allowed widths per quantizer, HW preference order (TRIAL: every requested width)
  const allowed = setup.map((q) => (hw ? uniq(q.allowedConfigs.map((c) => c.bits)) : uniq(opts.bits)));
  if (hw && opts.mode === 'strict')
    groups.forEach((g) => {
      const common = g.map((i) => new Set(allowed[i])).reduce((a, b) => new Set([...a].filter((x) => b.has(x))));
      if (!common.size)
        throw new QuantizationSetupError(
          `HAWQ (bitwidth_assignment_mode "strict"): the adjacent quantizers ${g.map((i) => setup[i].id).join(', ')} have no bit width in common on ${opts.device}`,
        );
      for (const i of g) allowed[i] = allowed[i].filter((b) => common.has(b));
    });
  const weightAllowed = new Set(wIdx.flatMap((i) => allowed[i]));
  const candidates = uniq(opts.bits).filter((b) => !hw || weightAllowed.has(b)).sort((a, b) => a - b);
  if (!candidates.length)
    throw new QuantizationSetupError(
      `${BITS_PATH} [${opts.bits.join(', ')}]: none of these bit widths is allowed for weights on ${opts.device} (allowed: ${[...weightAllowed].sort((a, b) => a - b).join(', ')})`,
    );
  const L = wIdx.length;
  const count = bitSequenceCount(candidates.length, L);
  if (count > MAX_HAWQ_SEQUENCES)
    throw new QuantizationSetupError(
      `HAWQ: ${L} weight quantizers and ${candidates.length} bit widths give ${count} bit-width sequences, more than nncf-ts enumerates (${MAX_HAWQ_SEQUENCES}); ` +
        `use fewer widths in ${BITS_PATH} or ignore some layers`,
    );

  // trace order (ascending, stable) and the sequences in execution order
  const trace = wIdx.map((i) => {
    const t = traces.get(hawqWeightTensors([setup[i]])[0]);
    if (t === undefined || !Number.isFinite(t)) throw new QuantizationSetupError(`HAWQ: no finite Hessian trace for ${setup[i].id}`);
    return t;
  });
  const order = wIdx.map((_, l) => l).sort((a, b) => trace[a] - trace[b] || a - b);
  const closest = (l: number, target: number) => {
    const a = allowed[wIdx[l]];
    if (!a.length) return target; // no HW entry for this quantizer: NNCF adjusts the bits of its default config
    let best = a[0];
    for (const b of a) if (Math.abs(b - target) < Math.abs(best - target)) best = b;
    return best;
  };
  const seen = new Set<string>();
  let seqs: number[][] = [];
  for (const s of nonDecreasingBitSequences(candidates, L)) {
    const exec = new Array<number>(L);
    order.forEach((l, pos) => (exec[l] = hw ? closest(l, s[pos]) : s[pos]));
    const key = exec.join(',');
    if (!seen.has(key)) {
      seen.add(key);
      seqs.push(exec);
    }
  }
  if (hw) {
    const actAllowed = new Set(setup.flatMap((q, i) => (q.kind === 'activation' ? allowed[i] : [])));
    const excessive = [...weightAllowed].filter((b) => !actAllowed.has(b));
    if (excessive.length) seqs = seqs.filter((s) => excessive.some((b) => !s.includes(b)));
  }
  const layerOf = new Map(wIdx.map((qi, l) => [qi, l]));
  if (opts.mode === 'strict') {
    const grouped = groups.map((g) => g.filter((i) => setup[i].kind === 'weight').map((i) => layerOf.get(i)!)).filter((g) => g.length > 1);
    seqs = seqs.filter((s) => grouped.every((g) => g.every((l) => s[l] === s[g[0]])));
  }
  if (!seqs.length)
    throw new QuantizationSetupError(`HAWQ: no bit-width sequence is left on ${opts.device} after the HW and ${opts.mode}-mode constraints (candidate widths ${candidates.join(', ')})`);

  // activation widths per sequence, then the compression ratio
  const actBits = (s: readonly number[]): Map<number, number> => {
    const out = new Map<number, number>();
    for (const g of groups) {
      const acts = g.filter((i) => setup[i].kind === 'activation');
      if (!acts.length) continue;
      const W = new Set(g.filter((i) => setup[i].kind === 'weight').map((i) => s[layerOf.get(i)!]));
      if (!hw) {
        for (const a of acts) if (W.size) out.set(a, Math.min(...W));
        continue;
      }
      if (opts.mode === 'strict') {
        let common = acts.map((a) => new Set(allowed[a])).reduce((x, y) => new Set([...x].filter((b) => y.has(b))));
        if (W.size) common = new Set([...common].filter((b) => W.has(b)));
        if (!common.size)
          throw new QuantizationSetupError(`HAWQ (strict): no HW-compatible bit width for the activation quantizers ${acts.map((a) => setup[a].id).join(', ')}`);
        for (const a of acts) out.set(a, Math.min(...common));
      } else
        for (const a of acts) {
          const A = allowed[a];
          const inW = A.filter((b) => W.has(b));
          out.set(a, A.length === 1 ? A[0] : inW.length ? Math.min(...inW) : Math.min(...A));
        }
    }
    return out;
  };
  const macs = wIdx.map((i) => layerMacs(graph, setup[i]));
  const feeders = wIdx.map((i) => {
    const nodes = new Set(setup[i].quantizedNodes);
    return groups[groupOf.get(i)!].filter((a) => setup[a].kind === 'activation' && setup[a].quantizedNodes.some((n) => nodes.has(n)));
  });
  const maxComplexity = macs.reduce((a, f) => a + 8 * f, 0);
  const acts = seqs.map(actBits);
  const ratios = seqs.map((s, k) => {
    let c = 0;
    s.forEach((w, l) => (c += macs[l] * Math.max(w, ...feeders[l].map((a) => acts[k].get(a) ?? setup[a].bits))));
    return maxComplexity / c;
  });
  const lo = Math.min(...ratios);
  const hi = Math.max(...ratios);
  if (!(opts.compressionRatio >= lo && opts.compressionRatio <= hi))
    throw new QuantizationSetupError(
      `${RATIO_PATH} ${opts.compressionRatio} cannot be reached on ${opts.device}: with bit widths [${candidates.join(', ')}] the achievable range is [${fmt(lo)}, ${fmt(hi)}]`,
    );

  // perturbations per (layer, width) actually used, then the metric
  const configs = new Map<string, QuantizerSpec>();
  const cfgOf = (qi: number, bits: number) => {
    const key = `${qi}:${bits}`;
    let c = configs.get(key);
    if (!c) configs.set(key, (c = withBits(graph, setup[qi], bits, opts)));
    return c;
  };
  const noise = new Map<string, number>();
  const perturbation = (l: number, bits: number) => {
    const key = `${l}:${bits}`;
    let v = noise.get(key);
    if (v === undefined) {
      const q = cfgOf(wIdx[l], bits);
      const { values, dims } = weightValue(hawqWeightTensors([q])[0]);
      noise.set(key, (v = weightPerturbation(q, values, dims)));
    }
    return v;
  };
  const metrics = seqs.map((s) => s.reduce((m, bits, l) => m + trace[l] * perturbation(l, bits), 0));
  const k = chooseSequence(metrics, ratios, opts.compressionRatio);
  const chosen = seqs[k];
  const out = setup.map((q, i) => {
    const l = layerOf.get(i);
    const bits = l !== undefined ? chosen[l] : acts[k].get(i);
    return bits === undefined ? { ...q } : cfgOf(i, bits);
  });
  return {
    setup: out,
    ratio: ratios[k],
    ratioRange: [lo, hi],
    metric: metrics[k],
    sequences: seqs.length,
    traceOrder: order.map((l) => setup[wIdx[l]].id),
    weightIds: wIdx.map((i) => setup[i].id),
    traces: trace,
    candidates: seqs.map((bits, i) => ({ bits, ratio: ratios[i], metric: metrics[i] })),
    chosen: k,
  };
}
