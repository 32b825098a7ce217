/** JSON report of a quantization controller: every quantizer (id, kind, bits, mode, signed, per-channel, range) and totals. */
import type { CompressionController } from '../../compression/index.js';
import { QuantizationController, type AutoqSummary, type HawqSummary } from './controller.js';

export interface QuantizerReport {
  id: string;
  kind: 'weight' | 'activation';
  bits: number;
  mode: 'symmetric' | 'asymmetric';
  signed: boolean;
  per_channel: boolean;
  channel_axis: number | null;
  narrow_range: boolean;
  half_range: boolean;
  enabled: boolean;
  levels: number;
  /** Symmetric: `scale`; asymmetric: `input_low` / `input_range` (before TuneRange); export range: input_low/input_high. */
  scale?: number[];
  input_low?: number[];
  input_range?: number[];
  range: { low: number[]; high: number[] };
  tensors: string[];
}

export interface QuantizationReport {
  algorithm: 'quantization';
  quantizers: QuantizerReport[];
  totals: {
    quantizers: number;
    weight: number;
    activation: number;
    by_bits: Record<string, { weight: number; activation: number }>;
  };
  range_init: { initialized: number; backend: string | null; skipped?: string } | null;
  bn_adaptation_steps: number;
  /** Present when HAWQ chose the bit widths. */
  hawq?: HawqSummary;
  /** Present when AutoQ chose the bit widths. */
  autoq?: AutoqSummary;
}

/** The quantization controller itself or the child of a composite controller. */
export function findQuantizationController(c: CompressionController): QuantizationController | undefined {
  if (c instanceof QuantizationController) return c;
  const children = (c as { children?: readonly CompressionController[] }).children ?? [];
  return children.find((x): x is QuantizationController => x instanceof QuantizationController);
}

export function quantizationReport(ctrl: QuantizationController): QuantizationReport {
  const quantizers = ctrl.modules.map((m): QuantizerReport => {
    const p = m.placed;
    const q = m.quantizer;
    const fq = q.fakeQuantizeParams();
    const r: QuantizerReport = {
      id: p.id,
      kind: p.kind,
      bits: p.bits,
      mode: p.mode,
      signed: q.signed,
      per_channel: p.perChannel,
      channel_axis: p.perChannel ? (p.channelAxis ?? null) : null,
      narrow_range: p.narrowRange,
      half_range: p.halfRange,
      enabled: q.enabled,
      levels: q.levelRange.levels,
      range: { low: Array.from(fq.clip?.low ?? fq.inputLow), high: Array.from(fq.clip?.high ?? fq.inputHigh) },
      tensors: [...m.tensors],
    };
    if (p.mode === 'symmetric') r.scale = Array.from(q.scale());
    else {
      const { inputLow, inputRange } = q.inputLowRange();
      r.input_low = Array.from(inputLow);
      r.input_range = Array.from(inputRange);
    }
    return r;
  });
  const byBits: Record<string, { weight: number; activation: number }> = {};
  for (const q of quantizers) (byBits[q.bits] ??= { weight: 0, activation: 0 })[q.kind]++;
  return {
    algorithm: 'quantization',
    quantizers,
    totals: {
      quantizers: quantizers.length,
      weight: quantizers.filter((q) => q.kind === 'weight').length,
      activation: quantizers.filter((q) => q.kind === 'activation').length,
      by_bits: byBits,
    },
    range_init: ctrl.rangeInit,
    bn_adaptation_steps: ctrl.bnAdaptationSteps,
    ...(ctrl.hawq ? { hawq: ctrl.hawq } : {}),
    ...(ctrl.autoq ? { autoq: ctrl.autoq } : {}),
  };
}
