/**
 * Scale / zero point of a QDQ pair from a FakeQuantize range, and weights pre-quantized to integers.
 *
 * NNCF `get_scale_zp_from_input_low_input_high` (spec/algorithms.md §1.5):
 *   y_scale      = (high − low) / (level_high − level_low)
 *   y_zero_point = clamp(round((level_low·high − level_high·low) / (high − low)), level_low, level_high)
 *   type         = int8 if level_low < 0 else uint8
 * Since (level_low·high − level_high·low)/(high − low) = level_low − low·s with s = (levels−1)/(high−low),
 * y_zero_point = level_low + round(−low·s) = level_low + NNCF's own zero point. Cases:
 *   symmetric signed (low = high·level_low/level_high):  zero point 0, int8, scale = high/level_high
 *     (8-bit narrow −127..127: scale = high/127; full −128..127: scale = high/127 too);
 *   symmetric unsigned (low = 0):                         zero point 0, uint8, scale = high/(levels−1);
 *   asymmetric (0 exactly representable after TuneRange): zero point round(−low·s) ∈ [0, levels−1], uint8.
 */
import { QuantizedExportError, type LevelGrid, type QuantizerExportSpec } from './spec.js';

/** Round half to even (torch.round, ONNX Round/QuantizeLinear). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface QdqParams {
  /** One per channel (length 1 per tensor). */
  scale: Float32Array;
  zeroPoint: Int32Array;
  dtype: 'int8' | 'uint8';
  /** Representable integer range of dtype. */
  typeLow: number;
  typeHigh: number;
}

export function qdqParams(s: QuantizerExportSpec, g: LevelGrid): QdqParams {
  if (s.bits !== 8)
    throw new QuantizedExportError(
      `quantizer "${s.id}" has ${s.bits} bits; export_to_onnx_standard_ops: true writes QuantizeLinear/DequantizeLinear, which ` +
        'holds 8-bit integers only — use export_to_onnx_standard_ops: false (FakeQuantize) for other bit widths');
  const dtype = g.levelLow < 0 ? 'int8' : 'uint8';
  const [typeLow, typeHigh] = dtype === 'int8' ? [-128, 127] : [0, 255];
  if (g.levelLow < typeLow || g.levelHigh > typeHigh)
    throw new QuantizedExportError(`quantizer "${s.id}": levels ${g.levelLow}..${g.levelHigh} do not fit ${dtype}`);
  const n = s.inputLow.length;
  const scale = new Float32Array(n);
  const zeroPoint = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const lo = s.inputLow[i], hi = s.inputHigh[i];
    scale[i] = (hi - lo) / (g.levelHigh - g.levelLow);
    const zp = roundHalfEven((g.levelLow * hi - g.levelHigh * lo) / (hi - lo));
    zeroPoint[i] = Math.min(Math.max(zp, g.levelLow), g.levelHigh);
  }
  return { scale, zeroPoint, dtype, typeLow, typeHigh };
}

/** Element i of a tensor with `dims` → its channel along `axis` (0 when per tensor). */
export function channelIndexer(dims: number[], axis: number | undefined, channels: number): (i: number) => number {
  if (axis === undefined || channels === 1) return () => 0;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  return (i) => Math.floor(i / inner) % channels;
}

/**
 * The integers k with DequantizeLinear(k) = FakeQuantize(x) (NNCF §1.2): with s = (levels−1)/(high−low)
 * and m = round((clamp(x) − low)·s), FakeQuantize gives (m − round(−low·s))/s, so
 * k = m − round(−low·s) + y_zero_point (= m + level_low when the range is tuned).
 */
export function quantizeValues(x: Float32Array, dims: number[], s: QuantizerExportSpec, g: LevelGrid, p: QdqParams): Int32Array {
  const n = s.inputLow.length;
  const ch = channelIndexer(dims, s.perChannelAxis, n);
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = ch(i);
    const lo = s.inputLow[c], hi = s.inputHigh[c];
    let v = x[i];
    if (s.clip) v = Math.min(Math.max(v, s.clip.low[s.clip.low.length === 1 ? 0 : c]), s.clip.high[s.clip.high.length === 1 ? 0 : c]);
    const sc = (g.levels - 1) / (hi - lo);
    const m = roundHalfEven((Math.min(Math.max(v, lo), hi) - lo) * sc);
    const k = m - roundHalfEven(-lo * sc) + p.zeroPoint[c];
    out[i] = Math.min(Math.max(k, p.typeLow), p.typeHigh);
  }
  return out;
}

/** Broadcast a per-tensor range to `channels` values (used when a per-tensor weight becomes per-channel). */
export function expand(a: Float32Array, channels: number): Float32Array {
  return a.length === channels ? a : new Float32Array(channels).fill(a[0]);
}
