/**
 * HAWQ's working in the report's terms (JSON, snake_case): the trace of every weight quantizer, every
 * candidate bit-width sequence with its compression ratio and metric, and which one was chosen — so a
 * user can see why a layer got 4 bits (lower trace · smaller noise than the layers kept at 8).
 */
import type { HessianTraceMode } from './init-services.js';
import type { HawqResult } from './precision-hawq.js';

/** Sequences listed in full up to this many; beyond it the lowest-metric ones reaching the ratio (the JSON stays readable). */
export const MAX_REPORTED_HAWQ_SEQUENCES = 5000;

export interface HawqSequenceReport {
  /** Weight widths in `weight_quantizers` order. */
  bits: number[];
  ratio: number;
  metric: number;
}

export interface HawqSummary {
  /** Ratio of the chosen sequence (≥ the requested compression_ratio). */
  compression_ratio: number;
  requested_ratio: number;
  achievable_ratio: [number, number];
  /** Metric of the chosen sequence: Σ trace · ‖Q(W) − W‖². */
  metric: number;
  trace_iterations: number;
  /** Mode the model ran in for the traces: 'train' (BatchNorm on batch statistics, NNCF's usual case) or 'eval'. */
  trace_mode: HessianTraceMode;
  /** Weight quantizer ids in execution order (the order of every `bits` below). */
  weight_quantizers: string[];
  /** Average Hessian trace per weight quantizer id. */
  traces: Record<string, number>;
  /** Weight quantizer ids, lowest Hessian trace first. */
  trace_order: string[];
  /** Sequences evaluated (after HW and mode filters). */
  sequence_count: number;
  /** The sequences listed (all of them unless sequence_count > MAX_REPORTED_HAWQ_SEQUENCES). */
  sequences: HawqSequenceReport[];
  /** Index of the chosen sequence in `sequences`. */
  chosen: number;
}

export function hawqSummary(r: HawqResult, requestedRatio: number, traceIterations: number, traceMode: HessianTraceMode): HawqSummary {
  let listed = r.candidates.map((c, i) => ({ c, i }));
  if (listed.length > MAX_REPORTED_HAWQ_SEQUENCES) {
    const best = listed
      .filter(({ c, i }) => c.ratio >= requestedRatio || i === r.chosen)
      .sort((a, b) => a.c.metric - b.c.metric || a.i - b.i)
      .slice(0, MAX_REPORTED_HAWQ_SEQUENCES);
    if (!best.some(({ i }) => i === r.chosen)) best[best.length - 1] = listed[r.chosen];
    listed = best.sort((a, b) => a.i - b.i);
  }
  return {
    compression_ratio: r.ratio,
    requested_ratio: requestedRatio,
    achievable_ratio: r.ratioRange,
    metric: r.metric,
    trace_iterations: traceIterations,
    trace_mode: traceMode,
    weight_quantizers: r.weightIds,
    traces: Object.fromEntries(r.weightIds.map((id, l) => [id, r.traces[l]])),
    trace_order: r.traceOrder,
    sequence_count: r.sequences,
    sequences: listed.map(({ c }) => ({ bits: [...c.bits], ratio: c.ratio, metric: c.metric })),
    chosen: listed.findIndex(({ i }) => i === r.chosen),
  };
}
