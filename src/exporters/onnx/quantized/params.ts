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
 * The integer type's width comes from the quantizer's bits (containerBits): the grid is kept as is, so a
 * 5-bit grid in an 8-bit type still holds 32 levels (weights are pre-quantized onto it; activations get a
 * clamp to the range before QuantizeLinear, see qdq.ts).
 */
import { QuantizedExportError, type LevelGrid, type QuantizerExportSpec } from './spec.js';

/** Round half to even (torch.round, ONNX Round/QuantizeLinear). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export type QdqDtype = 'int4' | 'uint4' | 'int8' | 'uint8' | 'int16' | 'uint16';

const TYPE_RANGE: Record<QdqDtype, [number, number]> = {
  int4: [-8, 7], uint4: [0, 15], int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
};

/** Widest quantizer QuantizeLinear/DequantizeLinear can hold (opset 21 has 16-bit integer types). */
export const QDQ_MAX_BITS = 16;

/**
 * Width of the integer type a quantizer is written in. Weights: 2–4 bits packed INT4/UINT4 (opset 21, half
 * the bytes of INT8), 5–8 bits INT8/UINT8, 9–16 bits INT16/UINT16 (opset 21). Activations are at least
 * 8-bit: ORT's integer Conv/Gemm kernels take 8-bit inputs only, and onnxruntime-node 1.30, which does run
 * 4-bit QuantizeLinear, fuses none with them.
 */
export function containerBits(bits: number, kind: 'weight' | 'activation'): 4 | 8 | 16 {
  return bits <= 4 && kind === 'weight' ? 4 : bits <= 8 ? 8 : 16;
}

/** ONNX integer type of a container width and grid sign. */
export function qdqDtype(container: 4 | 8 | 16, signed: boolean): QdqDtype {
  return `${signed ? 'int' : 'uint'}${container}` as QdqDtype;
}

/** Typed array holding the values of `dtype` (int4/uint4 one value per element, as the ONNX codec expects). */
export function integerArray(dtype: QdqDtype, values: ArrayLike<number>): Int8Array | Uint8Array | Int16Array | Uint16Array {
  switch (dtype) {
    case 'int4': case 'int8': return Int8Array.from(values);
    case 'uint4': case 'uint8': return Uint8Array.from(values);
    case 'int16': return Int16Array.from(values);
    case 'uint16': return Uint16Array.from(values);
  }
}

export interface QdqParams {
  /** One per channel (length 1 per tensor). */
  scale: Float32Array;
  zeroPoint: Int32Array;
  dtype: QdqDtype;
  /** Representable integer range of dtype. */
  typeLow: number;
  typeHigh: number;
}

export function qdqParams(s: QuantizerExportSpec, g: LevelGrid): QdqParams {
  if (!Number.isInteger(s.bits) || s.bits < 2 || s.bits > QDQ_MAX_BITS)
    throw new QuantizedExportError(
      `quantizer "${s.id}" has ${s.bits} bits; export_to_onnx_standard_ops: true writes QuantizeLinear/DequantizeLinear, which ` +
        `holds 2- to ${QDQ_MAX_BITS}-bit integers — use export_to_onnx_standard_ops: false (FakeQuantize) for other bit widths`);
  const dtype = qdqDtype(containerBits(s.bits, s.target.kind), g.levelLow < 0);
  const [typeLow, typeHigh] = TYPE_RANGE[dtype];
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
